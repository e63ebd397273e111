import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict flag CHG on|off|throttle SHARE`.
    struct FlagCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flag",
            abstract: "Change an experiment's flag by hand: on, off (roll back), or throttle to a share.",
            discussion: """
                on puts the flag back to the design's split (after a throttle); off rolls the change back for \\
                everyone; throttle SHARE serves the change to that share of the targeted customers (below the \\
                split). Each change is recorded on the audit trail, and flags.json is written again. A kept \\
                change can be rolled back at any time: off then needs --note, and is recorded as a reversal of \\
                the decision that kept it, as `verdict decide CHG rollback` is.

                Examples:
                  verdict flag CHG-0007 throttle 0.1
                  verdict flag CHG-0007 on
                  verdict flag CHG-0007 off --actor dana
                  verdict flag CHG-0007 off --note "callbacks doubled since we kept it"
                """
        )

        @Argument(help: "The change_id.") var change: String
        @Argument(help: "on, off or throttle.") var action: String
        @Argument(help: "With throttle: the share, such as 0.1.") var share: Double?
        @Option(help: "Why (recorded); needed to turn off a kept change.") var note: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func validate() throws {
            switch action {
            case "on", "off":
                if share != nil { throw ValidationError("\(action) takes no share") }
            case "throttle":
                guard let share, share > 0, share < 1 else { throw ValidationError("throttle needs a share between 0 and 1, such as 0.1") }
            default:
                throw ValidationError("\"\(action)\" is not one of on, off and throttle")
            }
        }

        func run() async throws {
            do {
                let lifecycle = try Lifecycle(workspace: try options.load(), clock: try clockOptions.clock(), actor: actorOptions.resolve())
                let flag = try lifecycle.setFlag(
                    change, action == "on" ? .on : action == "off" ? .off : .throttle(share ?? 0), note: note)
                if json { return Terminal.write(try JSONOutput.encode(flag) + "\n") }
                let audience = flag.spec.cohorts.isEmpty ? "everyone" : flag.spec.cohorts.joined(separator: ", ")
                let serves = flag.state == .off
                    ? "everyone gets \(flag.spec.control)"
                    : "\(flag.spec.treatment) for \(FigureText.percent(flag.share, trimmed: true)) of \(audience)"
                Terminal.write("\(flag.key) (\(flag.changeID)) is now \(flag.state.rawValue): \(serves); flags.json written.\n")
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
