import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript
import VerdictStore

extension VerdictCommand {
    /// `verdict quarantine`: lists and exports the rows ingest refused.
    struct Quarantine: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List or export the rows that ingest refused, with their line and reason.",
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

        func run() async throws {
            do {
                let entries = try options.load().openStore().quarantine(batch: batch, source: source, all: all, limit: limit)
                if raw {
                    Terminal.write(try QuarantineExport.raw(entries))
                } else if json {
                    Terminal.write(try JSONOutput.encode(entries.map(QuarantineListing.init)) + "\n")
                } else if csv {
                    Terminal.write(
                        TableOutput(
                            headers: ["source", "line", "reason", "raw"],
                            rows: entries.map { [$0.row.source, String($0.row.line), $0.row.reason, $0.row.raw] }
                        ).csv())
                } else if entries.isEmpty {
                    Terminal.write(all ? "No quarantined rows.\n" : "No quarantined rows to fix (--all lists those fixed since).\n")
                } else {
                    for entry in entries {
                        let row = entry.row
                        let fixed = entry.resolvedBy.map { " (fixed by batch \($0))" } ?? ""
                        Terminal.write("\(row.source):\(row.line): \(row.reason)\(fixed)\n" + Terminal.dim("    \(row.raw.escapingControlCharacters)", on: .output) + "\n")
                    }
                }
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}

/// One row as `verdict quarantine --json` prints it.
struct QuarantineListing: Codable {
    var batch: Int64
    var source: String
    var line: Int
    var reason: String
    var raw: String
    var fixedBy: Int64?

    init(_ entry: QuarantineEntry) {
        batch = entry.batchID
        source = entry.row.source
        line = entry.row.line
        reason = entry.row.reason
        raw = entry.row.raw
        fixedBy = entry.resolvedBy
    }

    enum CodingKeys: String, CodingKey {
        case batch, source, line, reason, raw
        case fixedBy = "fixed_by"
    }

    /// Writes `fixed_by` as null while the row is still to fix.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(batch, forKey: .batch)
        try container.encode(source, forKey: .source)
        try container.encode(line, forKey: .line)
        try container.encode(reason, forKey: .reason)
        try container.encode(raw, forKey: .raw)
        try container.encode(fixedBy, forKey: .fixedBy)
    }
}
