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
                --raw prints the rows alone, to fix them and ingest them again.

                Examples:
                  verdict quarantine
                  verdict quarantine --source jobs.jsonl --raw > jobs-fixed.jsonl
                  verdict quarantine --batch 3 --csv > refused.csv
                """
        )

        @Option(help: "Only rows from this source (as it was named to ingest).") var source: String?
        @Option(help: "Only rows from this batch.") var batch: Int64?
        @Option(help: "At most this many rows.") var limit: Int?
        @Flag(help: "Print only the rows as they arrived, one per line.") var raw = false
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Print CSV (source, line, reason, raw).") var csv = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            if [raw, json, csv].filter({ $0 }).count > 1 { throw ValidationError("choose one of --raw, --json and --csv") }
        }

        func run() async throws {
            do {
                let rows = try options.load().openStore().quarantinedRows(batch: batch, source: source, limit: limit)
                if raw {
                    Terminal.write(rows.map { $0.raw + "\n" }.joined())
                } else if json {
                    let value = LuaValue.array(
                        rows.map {
                            ["source": .string($0.source), "line": .integer(Int64($0.line)), "reason": .string($0.reason), "raw": .string($0.raw)]
                        })
                    Terminal.write(try value.json() + "\n")
                } else if csv {
                    Terminal.write(
                        TableOutput(
                            headers: ["source", "line", "reason", "raw"],
                            rows: rows.map { [$0.source, String($0.line), $0.reason, $0.raw] }
                        ).csv())
                } else if rows.isEmpty {
                    Terminal.write("No quarantined rows.\n")
                } else {
                    for row in rows {
                        Terminal.write("\(row.source):\(row.line): \(row.reason)\n" + Terminal.dim("    \(row.raw)", on: .output) + "\n")
                    }
                }
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
