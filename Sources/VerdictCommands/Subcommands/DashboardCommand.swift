import ArgumentParser
import Foundation
import VerdictCore
import VerdictDashboard

extension VerdictCommand {
    /// `verdict dashboard [--out FILE] [--date D]`: the daily page.
    struct DashboardCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dashboard",
            abstract: "Write the dashboard: one self-contained HTML page of every change, its figures and its records.",
            discussion: """
                The page shows, for the date: the week's direct-to-consumer jobs (booked, completed, revenue) \
                against the week before; a chip per change with its state, verdict and recommendation; and per \
                change its hypothesis and sealed rule, the primary KPI and the leading indicator day by day per \
                arm, the guardrails against their limits, the safety checks, warnings, the verdict with its \
                interval, sample and smallest detectable change, the recommendation, the decision and its audit \
                records. Filters by change, cohort, state and outcome live in the address's #fragment.

                It opens from the file, offline, and prints. `verdict daily` refreshes it every morning.

                Written to dashboards/DATE.html and dashboards/index.html in the workspace, or to --out.

                Examples:
                  verdict dashboard
                  verdict dashboard --date 2026-11-10
                  verdict dashboard --out /tmp/today.html
                """
        )

        @Option(help: ArgumentHelp("Write the page to this file instead of dashboards/.", valueName: "file"))
        var out: String?

        @Option(help: ArgumentHelp("The local date the page is for (YYYY-MM-DD; default: today).", valueName: "date"))
        var date: String?

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func validate() throws {
            if let date, LocalDay(date) == nil { throw ValidationError("--date: \"\(date)\" is not a date such as 2026-11-10") }
            if let out, out.isEmpty { throw ValidationError("--out: give a file name") }
        }

        func run() async throws {
            do {
                let workspace = try options.load()
                let clock = try clockOptions.clock()
                let day = date.flatMap(LocalDay.init) ?? workspace.today(clock)
                for path in try DashboardFiles.refresh(workspace, clock: clock, date: day, out: out) {
                    Terminal.write("\(path)\n")
                }
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
