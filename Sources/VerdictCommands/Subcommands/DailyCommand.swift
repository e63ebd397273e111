import ArgumentParser
import Foundation
import VerdictCore
import VerdictDashboard

extension VerdictCommand {
    /// `verdict daily [--date D]`: the morning run.
    struct DailyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "daily",
            abstract: "The morning run: the leading indicator, the safety checks that are due and their actions, and a summary.",
            discussion: """
                For each running experiment: the leading indicator on each finished day, per arm; every safety \
                check whose hour (24, 48, 72 after the start, as declared) has passed, on the days of data \
                before it: each guardrail and the leading indicator against its limit, with a test fit for \
                the first days' few events, counted once they reach min_events. The first breach carries out \
                on_breach (throttle the flag), a second on_second_breach (roll back): the flag, flags.json and \
                the audit trail follow, with the figures. A day without events is a finding too.

                The summary goes to the terminal (or --json), to daily/DATE.txt in the workspace, and to the \
                webhook in verdict.lua if one is set (webhook = "https://...", Slack-compatible JSON). Then the \
                dashboard is refreshed: dashboards/index.html and dashboards/DATE.html (see verdict dashboard).

                Safe to run from cron, like run-all: one run at a time (exit 75 after --wait), each check done \
                once, a second run for the same date changes nothing, and missed days are caught up in order.

                Examples:
                  verdict daily
                  verdict daily --date 2026-11-04
                  verdict daily --json
                """
        )

        @Flag(help: "Print the summary as JSON.")
        var json = false

        @Flag(help: "Do not refresh the dashboard (when another job writes it).")
        var noDashboard = false

        @OptionGroup var runOptions: RunOptions
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func run() async throws {
            let summary: DailySummary = try RunOptions.run {
                let workspace = try options.load()
                let clock = try clockOptions.clock()
                let date = runOptions.day(in: workspace, clock: clock)
                var summary = try Daily(workspace: workspace, clock: clock, actor: actorOptions.resolve())
                    .run(date: date, lockWait: runOptions.wait)
                // The page shows what the run just did; it is written once the run has finished.
                if !noDashboard { summary.dashboard = try DashboardFiles.refresh(workspace, clock: clock, date: date) }
                return summary
            }
            if json {
                Terminal.write(try JSONOutput.encode(summary) + "\n")
            } else {
                Terminal.write(summary.text)
                if let file = summary.file { Terminal.write("(written to \(file))\n") }
                if let page = summary.dashboard.last { Terminal.write("Dashboard: \(page)\n") }
            }
            if let webhook = summary.webhook, webhook != "sent" {
                Terminal.write(Terminal.warning("warning:", on: .error) + " the webhook in verdict.lua: \(webhook)\n", to: .error)
            }
            for failure in summary.failures { _ = Terminal.report(failure) }
            if !summary.failures.isEmpty { throw ExitCode.failure }
        }
    }
}
