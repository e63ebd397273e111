import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict decide CHG keep|rollback|extend|scale`.
    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record your decision about a change: keep, rollback, extend or scale.",
            discussion: """
                keep serves the change to everyone it targets; rollback turns its flag off; extend runs one \\
                more window under the same seal, and the verdict then covers the whole span; scale brings a \\
                throttled change back to the design's split. Each goes on the audit trail with your note, and \\
                flags.json is written again. Deciding before the window ends needs --early and a --note.

                Examples:
                  verdict decide CHG-0007 keep --note "more bookings, no complaints"
                  verdict decide CHG-0007 extend
                  verdict decide CHG-0007 rollback --early --note "customers calling about the button"
                """
        )

        @Argument(help: "The change_id.") var change: String
        @Argument(help: "keep, rollback, extend or scale.") var decision: String
        @Option(help: "Why, in your words (recorded; needed with --early).") var note: String?
        @Flag(help: "Decide before the window ends (recorded).") var early = false
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func validate() throws {
            guard Lifecycle.Decision(rawValue: decision) != nil else {
                throw ValidationError("\"\(decision)\" is not one of keep, rollback, extend and scale")
            }
        }

        func run() async throws {
            do {
                let lifecycle = try Lifecycle(workspace: try options.load(), clock: try clockOptions.clock(), actor: actorOptions.resolve())
                let decided = try lifecycle.decide(change, Lifecycle.Decision(rawValue: decision)!, note: note, early: early)
                if json { return Terminal.write(try JSONOutput.encode(decided) + "\n") }
                let status = decided.status
                var text = ""
                if let verdict = decided.verdict {
                    let recommendation = verdict.recommendation.map { " (recommendation: \($0))" } ?? ""
                    text += "Verdict for \(verdict.window.from) .. \(verdict.window.to): \(verdict.outcome.uppercased())\(recommendation), "
                        + "from \(verdict.events) events (recorded).\n"
                }
                text += "\(status.changeID) is now \(status.state)"
                if decision == "extend" { text += ", its window extended to \(status.windowEnd)" }
                if let flag = status.flag {
                    text += "; flag \(flag.key) \(flag.state.rawValue) at \(FigureText.percent(flag.share, trimmed: true))"
                }
                Terminal.write(text + ". Recorded on the audit trail.\n")
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
