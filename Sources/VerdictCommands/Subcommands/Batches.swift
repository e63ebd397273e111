import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict batches`: lists the ingested batches.
    struct Batches: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the ingested batches: one per file, with what each stored, skipped and quarantined.",
            discussion: """
                A removed or replaced batch stays listed as history; its events are gone from the store.

                Examples:
                  verdict batches
                  verdict batches --json
                """
        )

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            do {
                let batches = try EventLog(workspace: try options.load()).batches()
                if json {
                    Terminal.write(try JSONOutput.encode(batches) + "\n")
                    return
                }
                guard !batches.isEmpty else { return Terminal.write("No batches yet: `verdict ingest FILE` stores one.\n") }
                let rows = batches.map { batch -> [String] in
                    let counts = [batch.rowsRead, batch.stored, batch.duplicates + batch.identical, batch.quarantined, batch.eventsNow]
                    return [String(batch.id), batch.source, batch.format, batch.ingestedAt] + counts.map(String.init) + [batch.state]
                }
                Terminal.write(
                    TableOutput(
                        headers: ["batch", "source", "format", "ingested", "rows", "stored", "skipped", "quarantined", "events now", "state"],
                        rows: rows, numericColumns: [0, 4, 5, 6, 7, 8]
                    ).text())
            } catch {
                throw Terminal.report(error)
            }
        }
    }

    /// `verdict batch remove N`: removes one batch.
    struct Batch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work on one ingested batch.",
            subcommands: [Remove.self]
        )

        /// `verdict batch remove N`.
        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove a batch: delete its events in one transaction, keep it listed as removed, and record it.",
                discussion: """
                    Use it when a file was ingested by mistake, or to take out an export before ingesting a \
                    corrected one (or ingest the corrected one with --replace). Its quarantined rows are no \
                    longer listed by `verdict quarantine`.

                    Examples:
                      verdict batch remove 3
                    """
            )

            @Argument(help: "The batch's number (see `verdict batches`).") var id: Int64
            @Flag(help: "Print JSON.") var json = false
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var clockOptions: ClockOptions
            @OptionGroup var actorOptions: ActorOptions

            func run() async throws {
                do {
                    let removed = try EventLog(workspace: try options.load()).removeBatch(
                        id, at: try clockOptions.clock().nowMilliseconds(), actor: actorOptions.resolve())
                    if json {
                        Terminal.write(try JSONOutput.encode(removed) + "\n")
                    } else {
                        Terminal.write(
                            "Removed batch \(removed.id) (\(removed.source)): \(removed.eventsRemoved) event\(removed.eventsRemoved == 1 ? "" : "s") deleted"
                                + (removed.quarantined > 0 ? ", \(removed.quarantined) quarantined row\(removed.quarantined == 1 ? "" : "s") no longer listed" : "")
                                + ".\n")
                        if !removed.laterBatchesWithSkippedRows.isEmpty {
                            let ids = removed.laterBatchesWithSkippedRows.map(String.init).joined(separator: ", ")
                            Terminal.write(
                                "Batches \(ids) skipped rows as identical to rows already stored; any of those that were this batch's "
                                    + "are gone with it. Ingest those files again with --replace to store them.\n")
                        }
                    }
                } catch {
                    throw Terminal.report(error)
                }
            }
        }
    }
}
