import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict events`: counts (or lists) stored events.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count or list the stored events, filtered and grouped.",
            discussion: """
                Dates are local days in the workspace time zone. Without --by, prints the total.

                Examples:
                  verdict events --change CHG-0007 --by day,flag
                  verdict events --event appointment_booked --from 2026-11-01 --by cohort --csv
                  verdict events --change CHG-0007 --list --limit 20
                """
        )

        @Option(help: "Only this change_id.") var change: String?
        @Option(help: "Only this event name.") var event: String?
        @Option(help: "Only this user_cohort.") var cohort: String?
        @Option(help: "Only this version_flag.") var flag: String?
        @Option(help: "Only this status.") var status: String?
        @Option(help: ArgumentHelp("From this local date (YYYY-MM-DD), inclusive.", valueName: "date")) var from: String?
        @Option(help: ArgumentHelp("To this local date (YYYY-MM-DD), inclusive.", valueName: "date")) var to: String?
        @Option(
            help: ArgumentHelp("Group counts by day, event, cohort, flag, status, change or source (where the change_id came from; comma-separated).", valueName: "groups"))
        var by: String?
        @Flag(help: "List the events themselves instead of counting.") var list = false
        @Option(help: "With --list, at most this many events.") var limit = 100
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV.") var csv = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            if json && csv { throw ValidationError("choose one of --json and --csv") }
            if let from, LocalDay(from) == nil { throw ValidationError("--from: \"\(from)\" is not a date such as 2026-11-02") }
            if let to, LocalDay(to) == nil { throw ValidationError("--to: \"\(to)\" is not a date such as 2026-11-02") }
            _ = try groupings()
        }

        func groupings() throws -> [EventGrouping] {
            guard let by else { return [] }
            return try by.split(separator: ",").map { name in
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let grouping = EventGrouping(rawValue: trimmed) else {
                    throw ValidationError("--by: \"\(trimmed)\" is not one of day, event, cohort, flag, status, change, source")
                }
                return grouping
            }
        }

        func run() async throws {
            do {
                let log = try EventLog(workspace: try options.load())
                let query = EventQuery(
                    change: change, event: event, cohort: cohort, flag: flag, status: status, from: from.flatMap(LocalDay.init),
                    to: to.flatMap(LocalDay.init))
                if list {
                    let records = try log.events(query, limit: limit)
                    if json { return Terminal.write(try JSONOutput.encode(records) + "\n") }
                    let table = Self.listTable(records)
                    Terminal.write(csv ? table.csv() : table.text())
                } else {
                    let groups = try groupings()
                    let counts = try log.counts(query, by: groups)
                    if json { return Terminal.write(try JSONOutput.encode(counts) + "\n") }
                    let table = TableOutput(
                        headers: groups.map(\.rawValue) + ["events"],
                        rows: counts.map { $0.groups.map { $0.value ?? "" } + [String($0.count)] }, numericColumns: [groups.count])
                    Terminal.write(csv ? table.csv() : table.text())
                }
            } catch let error as ExitCode {
                throw error
            } catch {
                throw Terminal.report(error)
            }
        }

        static func listTable(_ records: [EventRecord]) -> TableOutput {
            func number(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
            return TableOutput(
                headers: [
                    "timestamp", "local time", "day", "event", "change_id", "change from", "version_flag", "user_cohort", "user_id", "status",
                    "latency_ms", "value", "event_id", "props",
                ],
                rows: records.map { e in
                    [
                        e.timestamp, e.localTime, e.day, e.event, e.changeID, e.changeSource, e.versionFlag ?? "", e.userCohort ?? "", e.userID ?? "",
                        e.status ?? "", number(e.latencyMs), number(e.value), e.eventID ?? "", e.propsText ?? "",
                    ]
                })
        }
    }
}
