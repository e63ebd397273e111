import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict quarantine`: lists and exports the rows ingest refused (`list`, the default), and
    /// drops one (`drop`).
    struct Quarantine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List or export the rows that ingest refused, with their line and reason; drop one.",
            subcommands: [List.self, Drop.self],
            defaultSubcommand: List.self
        )
    }
}

extension VerdictCommand.Quarantine {
    /// `verdict quarantine [list]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List or export the rows that ingest refused, with their line and reason (the default).",
            discussion: """
                Nothing refused is ever out of reach: every quarantined row is kept exactly as it arrived. \
                By default only the rows still to fix are listed: a row is fixed once a later batch stores \
                the same row with the mistake corrected (equal in every other field), and rows of a removed \
                batch are no longer listed; --all lists every row, with the batch that fixed it.

                --raw prints the rows alone, as a file that ingests again: CSV rows under their source's \
                header. Fix them, then ingest the file; `verdict quarantine` then no longer lists them.

                Examples:
                  verdict quarantine
                  verdict quarantine --batch 2 --raw > jobs-fixed.csv
                  verdict quarantine --source website.jsonl --raw | verdict ingest - --format jsonl
                  verdict quarantine --all --csv > refused.csv

                A row that is not worth fixing (a stray line, a 50 MB paste) goes with \
                `verdict quarantine drop SOURCE:LINE`.
                """
        )

        @Option(help: "Only rows from this source (as it was named to ingest).") var source: String?
        @Option(help: "Only rows from this batch.") var batch: Int64?
        @Option(help: "At most this many rows.") var limit: Int?
        @Flag(help: "Every row, including those fixed since and those of removed batches.") var all = false
        @Flag(help: "Print only the rows as they arrived (CSV rows under their header), to fix and ingest again.") var raw = false
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV (source, line, reason, raw).") var csv = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            if [raw, json, csv].filter({ $0 }).count > 1 { throw ValidationError("choose one of --raw, --json and --csv") }
        }

        /// How much of a raw row a listing shows: enough to recognise it, never a 50 MB line.
        static let shownCharacters = 300

        /// The start of a raw row, and how much was left out (`--raw` and `--json` give it whole).
        static func shortened(_ raw: String) -> String {
            guard raw.count > shownCharacters else { return raw }
            return raw.prefix(shownCharacters) + " … (\(raw.count - shownCharacters) more characters: --raw gives the whole row)"
        }

        func run() async throws {
            do {
                let log = try EventLog(workspace: try options.load())
                if raw { return Terminal.write(try log.quarantineFile(batch: batch, source: source, all: all, limit: limit)) }
                let entries = try log.quarantine(batch: batch, source: source, all: all, limit: limit)
                if json {
                    Terminal.write(try JSONOutput.encode(entries) + "\n")
                } else if csv {
                    Terminal.write(
                        TableOutput(
                            headers: ["source", "line", "reason", "raw"],
                            rows: entries.map { [$0.source, String($0.line), $0.reason, Self.shortened($0.raw)] }
                        ).csv())
                } else if entries.isEmpty {
                    Terminal.write(all ? "No quarantined rows.\n" : "No quarantined rows to fix (--all lists those fixed since).\n")
                } else {
                    for row in entries {
                        let fixed = row.fixedBy.map { " (fixed by batch \($0))" } ?? ""
                        Terminal.write("\(row.source):\(row.line): \(row.reason)\(fixed)\n" + Terminal.dim("    \(Self.shortened(row.raw).escapingControlCharacters)", on: .output) + "\n")
                    }
                }
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}

extension VerdictCommand.Quarantine {
    /// `verdict quarantine drop SOURCE:LINE`.
    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop one quarantined row, recorded on the audit trail; its batch and the batch's other rows stay.",
            discussion: """
                SOURCE:LINE is as `verdict quarantine` lists it (website.jsonl:12). When the same source \
                was ingested more than once and each time refused that line, --batch says which. The audit \
                record keeps where the row was, why it was refused, and its size and SHA-256, not the row.

                Examples:
                  verdict quarantine drop website.jsonl:12
                  verdict quarantine drop jobs.csv:40 --batch 3
                """
        )

        @Argument(help: "The row as `verdict quarantine` lists it: SOURCE:LINE.") var row: String
        @Option(help: "The row's batch, when more than one batch refused that line.") var batch: Int64?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        /// SOURCE:LINE split at its last colon (a source name may hold colons).
        var place: (source: String, line: Int)? {
            guard let colon = row.lastIndex(of: ":"), let line = Int(row[row.index(after: colon)...]), line > 0 else { return nil }
            let source = String(row[..<colon])
            return source.isEmpty ? nil : (source, line)
        }

        func validate() throws {
            if place == nil { throw ValidationError("'\(row)' is not SOURCE:LINE, as `verdict quarantine` lists a row (website.jsonl:12)") }
        }

        func run() async throws {
            do {
                let (source, line) = place!
                let dropped = try EventLog(workspace: try options.load()).dropQuarantined(
                    source: source, line: line, batch: batch, at: try clockOptions.clock().nowMilliseconds(), actor: actorOptions.resolve())
                if json {
                    Terminal.write(try JSONOutput.encode(dropped) + "\n")
                } else {
                    let events = dropped.reasons.count == 1 ? "" : " (\(dropped.reasons.count) refused events)"
                    Terminal.write(
                        "Dropped \(dropped.source):\(dropped.line) of batch \(dropped.batch)\(events), \(dropped.rawBytes) bytes; "
                            + "recorded on the audit trail.\n")
                }
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
