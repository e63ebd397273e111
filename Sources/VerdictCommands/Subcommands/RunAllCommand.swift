import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict run-all [--date D] [--apply]`: the weekly verdicts.
    struct RunAllCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-all",
            abstract: "Record the verdict and recommendation of every experiment whose window has ended; --apply carries them out.",
            discussion: """
                For each started experiment whose window (and any outcome lag) ended before the date, \
                run-all evaluates its sealed copy, records the verdict with its figures, the seal and a digest \
                of the events it used, and records the recommendation. It then prints one line per experiment \
                awaiting a decision: its verdict, the recommendation, the primary KPI with its interval, and \
                what to do now. With --apply each recommendation is carried out as a decision by run-all; \
                without it, you decide with `verdict decide`.

                Safe to run from cron: one run at a time per workspace (a second waits briefly, then exits \
                with status 75 and does nothing); a second run for the same date changes nothing and says \
                so; a run killed half way is finished by the next. --date replays an earlier date. The exit \
                status is 1 only for real errors (a broken script, an unreadable store); an inconclusive \
                verdict is not one.

                Examples:
                  verdict run-all
                  verdict run-all --apply
                  verdict run-all --date 2026-11-09 --json
                """
        )

        @Flag(help: "Carry out each recommendation as a decision (actor run-all).")
        var apply = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        @OptionGroup var runOptions: RunOptions
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func run() async throws {
            let summary: RunAllSummary = try RunOptions.run {
                let workspace = try options.load()
                let clock = try clockOptions.clock()
                return try RunAll(workspace: workspace, clock: clock, actor: actorOptions.resolve())
                    .run(date: runOptions.day(in: workspace, clock: clock), apply: apply, lockWait: runOptions.wait)
            }
            if json {
                Terminal.write(try JSONOutput.encode(summary) + "\n")
            } else {
                Terminal.write(Self.text(summary))
            }
            for failure in summary.failures {
                _ = Terminal.report(failure)
            }
            if !summary.failures.isEmpty { throw ExitCode.failure }
        }

        static func text(_ summary: RunAllSummary) -> String {
            let recorded = summary.entries.filter(\.recorded).count
            let decided = summary.entries.filter { $0.decided != nil }.count
            var text = "run-all for \(summary.date): "
            if let earlier = summary.alreadyRanAt {
                text += "already ran at \(earlier); nothing changed."
            } else {
                text += "\(recorded) verdict\(recorded == 1 ? "" : "s") recorded"
                if summary.applied { text += ", \(decided) decision\(decided == 1 ? "" : "s") taken" }
                text += "."
            }
            text += " \(summary.stillRunning) still running.\n"
            guard !summary.entries.isEmpty else { return text }
            let rows = summary.entries.map { entry -> [String] in
                let primary = entry.primary
                let change = primary.relative.value.map { FigureText.percent($0, signed: true) } ?? "—"
                let interval = primary.ciLow.value.flatMap { low in
                    primary.ciHigh.value.map { "[\(FigureText.percent(low, signed: true)), \(FigureText.percent($0, signed: true))]" }
                } ?? ""
                return [
                    entry.changeID, entry.verdict, entry.decided.map { "\($0) (done)" } ?? entry.recommendation,
                    "\(primary.name) \(change) \(interval)", entry.next,
                ]
            }
            return text + "\n" + TableOutput(headers: ["change", "verdict", "recommendation", "primary", "now"], rows: rows).text()
        }
    }
}
