import ArgumentParser
import Foundation
import VerdictCore
import VerdictDashboard

extension VerdictCommand {
    /// `verdict today [CHG] [--from FILE] [--csv FILE] [--html FILE]`.
    struct Today: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell the office what to do today for each running change people carry out.",
            discussion: """
                For each change whose script declares a task (task = "Send the reminder text the afternoon \\
                before"): the customers who get it today, from the day's list (--from FILE, else the newest CSV \\
                in inbox/ or inbox/done/ that names customers); or, for a switchback, whether today is a \\
                treatment day; or, once it is kept, everyone. Each list handed out is recorded on the audit \\
                trail, as verdict assign records it. --csv writes the list with each row's arm, --html a page \\
                to print and tick off.

                Examples:
                  verdict today
                  verdict today CHG-0042 --from appointments-tomorrow.csv --html today.html
                """
        )

        @Argument(help: "Only this change_id.") var change: String?
        @Option(help: ArgumentHelp("The day's customers or appointments (CSV).", valueName: "file")) var from: String?
        @Option(help: ArgumentHelp("The column that names the customer.", valueName: "column")) var key: String?
        @Option(help: ArgumentHelp("The column that gives each row's cohort, or the cohort of every row.", valueName: "column|name"))
        var cohort: String?
        @Option(help: ArgumentHelp("The local date (YYYY-MM-DD; default: today).", valueName: "date")) var date: String?
        @Option(help: ArgumentHelp("Also write the day's list, with each row's arm, to this CSV file.", valueName: "file")) var csv: String?
        @Option(help: ArgumentHelp("Also write a printable page to this HTML file.", valueName: "file")) var html: String?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func validate() throws {
            if let date, LocalDay(date) == nil { throw ValidationError("--date: \"\(date)\" is not a date such as 2026-11-10") }
        }

        func run() async throws {
            do {
                let workspace = try options.load()
                let lifecycle = try Lifecycle(
                    workspace: workspace, clock: try clockOptions.clock(), actor: actorOptions.resolve(), asOf: date.flatMap(LocalDay.init))
                let file = try from.map { (data: try Assign.read($0), source: $0 == "-" ? "-" : URL(fileURLWithPath: $0).lastPathComponent) }
                let plan = try lifecycle.today(change, file: file, key: key, cohort: cohort)
                if let csv {
                    let lists = plan.changes.compactMap(\.list)
                    guard lists.count == 1 else {
                        throw ValidationError(
                            lists.isEmpty
                                ? "--csv: no change is split by customer today, so there is no list to write"
                                : "--csv: \(lists.count) changes have a list today; name one (verdict today CHG --csv FILE)")
                    }
                    try Assign.write(lists[0].text, to: csv)
                }
                if let html { try Assign.write(TodayPage.render(plan, business: workspace.settings.business), to: html) }
                Terminal.write(json ? try JSONOutput.encode(plan) + "\n" : plan.text)
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
