import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript
import VerdictStore

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
            help: ArgumentHelp("Group counts by day, event, cohort, flag, status or change (comma-separated).", valueName: "groups"))
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
                    throw ValidationError("--by: \"\(trimmed)\" is not one of day, event, cohort, flag, status, change")
                }
                return grouping
            }
        }

        func run() async throws {
            do {
                let workspace = try options.load()
                let store = try workspace.openStore()
                let filter = EventFilter(
                    changeID: change, event: event, cohort: cohort, versionFlag: flag, status: status,
                    fromDay: from.flatMap(LocalDay.init)?.number, toDay: to.flatMap(LocalDay.init)?.number)
                if list && json {
                    let records = try store.events(filter, limit: limit).map { EventRecord($0, timeZone: workspace.timeZone) }
                    Terminal.write(try JSONOutput.encode(records) + "\n")
                    return
                }
                let table = list ? try listTable(store, filter) : try countTable(store, filter)
                if json {
                    Terminal.write(try jsonValue(table).json() + "\n")
                } else {
                    Terminal.write(csv ? table.csv() : table.text())
                }
            } catch let error as ExitCode {
                throw error
            } catch {
                throw Terminal.report(error)
            }
        }

        private func countTable(_ store: EventStore, _ filter: EventFilter) throws -> TableOutput {
            let groups = try groupings()
            let counts = try store.countEvents(filter, groupedBy: groups)
            let rows = counts.map { count in
                count.keys.map { key in
                    switch key {
                    case .day(let number): LocalDay(number: number).description
                    case .text(let text): text ?? ""
                    }
                } + [String(count.count)]
            }
            return TableOutput(headers: groups.map(\.rawValue) + ["events"], rows: rows, numericColumns: [groups.count])
        }

        private func listTable(_ store: EventStore, _ filter: EventFilter) throws -> TableOutput {
            let rows = try store.events(filter, limit: limit).map { stored in
                let e = stored.event
                return [
                    IngestSummary.time(e.timestamp), LocalDay(number: e.day).description, e.event, e.changeID,
                    e.versionFlag ?? "", e.userCohort ?? "", e.userID ?? "", e.status ?? "",
                    e.latencyMs.map { "\($0)" } ?? "", e.value.map { "\($0)" } ?? "", e.eventID ?? "", e.props ?? "",
                ]
            }
            return TableOutput(
                headers: [
                    "timestamp", "day", "event", "change_id", "version_flag", "user_cohort", "user_id", "status",
                    "latency_ms", "value", "event_id", "props",
                ], rows: rows)
        }

        private func jsonValue(_ table: TableOutput) -> LuaValue {
            .array(
                table.rows.map { row in
                    .table(
                        Dictionary(
                            uniqueKeysWithValues: zip(table.headers, row).map { header, cell in
                                (header, header == "events" ? .integer(Int64(cell) ?? 0) : cell.isEmpty ? .nil : .string(cell))
                            }))
                })
        }
    }
}
