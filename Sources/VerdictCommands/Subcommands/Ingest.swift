import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict ingest FILE...`: stores events from JSON lines or CSV files.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store events from JSON lines or CSV files (or standard input), each file as one batch.",
            discussion: """
                Every row is validated against the event schema (docs/events.md). A bad row never stops the \
                file and is never dropped: it goes to quarantine with its line and a reason (see \
                `verdict quarantine`). Each file is stored in one transaction, so after a crash it is either \
                fully stored or absent; ingesting the same file again stores nothing and says so, and an \
                event_id is stored once across all files.

                Exports often overlap (a corrected re-export, a daily "last 7 days" export). A row without an \
                event_id that is identical in every field to a row already stored is not stored again, \
                whatever file it came from; a file's own identical rows are all kept, so a file with m copies \
                of a row stored k times before stores m − k of them. --replace instead removes the earlier \
                batches from the same file name, in the same transaction.

                The format comes from the extension (.jsonl, .ndjson, .json, .csv), else from the content; \
                --format forces it. CSV needs a header row with the schema's names; other columns go to props. \
                A CSV with other columns is read by the importer whose columns its header has (a Jobber, \
                Housecall Pro or appointments export: docs/importers.md), which ingest names; when two fit, \
                it refuses to guess and --importer chooses.

                Text may be UTF-8 (with or without a byte-order mark), UTF-16 with its byte-order mark (Excel's \
                "Unicode text") or Windows-1252 (Excel's plain "CSV" on Windows); it is stored as UTF-8. \
                --encoding forces one: utf-8, utf-16le, utf-16be, windows-1252.

                Exit codes: 0 every row stored (or already there); 3 some rows were quarantined; 1 an input \
                could not be read; 64 the command line is wrong.

                Examples:
                  verdict ingest website-2026-11-20.jsonl
                  verdict ingest exports/*.csv
                  verdict ingest jobs-export.csv --importer jobber
                  verdict ingest jobs-export.csv --replace      # a corrected export replaces the last one
                  curl -s https://example.invalid/events | verdict ingest - --format jsonl
                """
        )

        @Argument(help: "Files to ingest; - reads standard input.")
        var files: [String]

        @Option(help: "Force the format: jsonl or csv.")
        var format: IngestFormat?

        @Option(help: "Read a job-management export with this importer plugin (plugins/importers/NAME.lua).")
        var importer: String?

        @Option(help: ArgumentHelp("Force the text encoding: utf-8, utf-16le, utf-16be or windows-1252 (default: found from the file).", valueName: "name"))
        var encoding: String?

        @Option(help: ArgumentHelp(
            "Read this file's dates in this order, whatever verdict.lua's date_order: month_first, day_first or year_first.",
            valueName: "order"))
        var dateOrder: String?

        @Flag(help: "Remove the batches ingested before from the same file name, in the same transaction.")
        var replace = false

        @Flag(help: "Print the summary as JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func validate() throws {
            if let dateOrder, DateOrder(rawValue: dateOrder) == nil {
                throw ValidationError("--date-order: \"\(dateOrder)\" is not month_first, day_first or year_first")
            }
            if let encoding, TextEncoding(name: encoding) == nil {
                throw ValidationError(
                    "--encoding: \"\(encoding)\" is not one Verdict reads; use \(TextEncoding.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let ingester: Ingester
            do {
                ingester = try Ingester(workspace: try options.load(), clock: try clockOptions.clock(), actor: actorOptions.resolve())
            } catch {
                throw Terminal.report(error)
            }
            var reports: [IngestReport] = []
            var failures: [String] = []
            var busy = 0
            for file in files {
                let bar = ProgressBar(label: file)
                do {
                    reports.append(try ingester.ingest(
                            file, format: format, importer: importer, replacing: replace, encoding: encoding.flatMap(TextEncoding.init(name:)),
                            dateOrder: dateOrder.flatMap(DateOrder.init(rawValue:))
                        ) { bar.update($0) })
                    bar.finish()
                } catch {
                    bar.finish()
                    failures.append("\(error)")
                    if Workspace.isBusy(error) { busy += 1 }
                    if !json { _ = Terminal.report(error) }
                }
            }
            if json {
                Terminal.write(try JSONOutput.encode(IngestRun(batches: reports, errors: failures)) + "\n")
            } else {
                Terminal.write(IngestSummary(reports: reports).text())
            }
            // 75 when every failure was a wait for another writer: nothing is wrong; run it again later.
            if !failures.isEmpty { throw busy == failures.count ? ExitCode(75) : ExitCode.failure }
            if reports.contains(where: { $0.outcome.quarantined > 0 }) { throw ExitCode(3) }
        }
    }
}

extension IngestFormat: ExpressibleByArgument {}

/// The summary `verdict ingest` prints.
struct IngestSummary {
    let reports: [IngestReport]

    func text() -> String {
        var out = ""
        for report in reports {
            let outcome = report.outcome
            if report.recognized, let importer = report.importer {
                out += "\(report.source): read with the \(importer) importer, which its header fits (--importer NAME chooses another)\n"
            }
            if let earlier = outcome.alreadyIngested {
                out += "\(report.source): already ingested as batch \(earlier.batchID) on \(earlier.at); nothing stored\n"
                continue
            }
            for old in outcome.replaced {
                let events = old.eventsRemoved
                out += "\(report.source): replaces batch \(old.id), whose \(events) event\(events == 1 ? " is" : "s are") removed\n"
            }
            var parts = ["\(outcome.stored) stored"]
            if outcome.duplicates > 0 { parts.append("\(outcome.duplicates) duplicate\(outcome.duplicates == 1 ? "" : "s") skipped") }
            if outcome.identical > 0 {
                parts.append("\(outcome.identical) identical to stored row\(outcome.identical == 1 ? "" : "s") skipped")
            }
            if outcome.quarantined > 0 { parts.append("\(outcome.quarantined) quarantined") }
            if outcome.resolved > 0 {
                parts.append("\(outcome.resolved) earlier quarantined row\(outcome.resolved == 1 ? "" : "s") now stored")
            }
            out += "\(report.source): \(parts.joined(separator: ", ")) (batch \(outcome.batchID ?? 0), \(report.importer.map { "csv, importer \($0)" } ?? report.format.rawValue))\n"
            for row in report.quarantined.prefix(10) {
                out += "  \(row.source):\(row.line): \(row.reason)\n"
            }
            if outcome.quarantined > 10 {
                out += "  ... and \(outcome.quarantined - 10) more: verdict quarantine --batch \(outcome.batchID ?? 0)\n"
            }
            if let hint = report.hint { out += "  \(hint)\n" }
        }
        if reports.count > 1 {
            let totals = IngestRun(batches: reports, errors: []).totals
            out += "total: \(totals.stored) stored, \(totals.duplicates + totals.identical) skipped, \(totals.quarantined) quarantined in \(reports.count) files\n"
        }
        return out
    }
}
