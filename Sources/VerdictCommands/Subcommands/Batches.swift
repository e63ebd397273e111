import ArgumentParser
import Foundation
import VerdictCore
import VerdictStore

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
                let batches = try options.load().openStore().batches()
                if json {
                    Terminal.write(try JSONOutput.encode(batches.map(BatchListing.init)) + "\n")
                    return
                }
                guard !batches.isEmpty else { return Terminal.write("No batches yet: `verdict ingest FILE` stores one.\n") }
                let rows = batches.map { batch -> [String] in
                    let listing = BatchListing(batch)
                    return [
                        String(batch.id), batch.source, batch.format, listing.ingestedAt, String(batch.rowsRead),
                        String(batch.stored), String(batch.duplicates + batch.identical), String(batch.quarantined),
                        String(batch.eventsNow), listing.state,
                    ]
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
                abstract: "Remove a batch: delete its events in one transaction, and keep it listed as removed.",
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

            func run() async throws {
                do {
                    let removed = try options.load().openStore().removeBatch(id, at: try clockOptions.clock().nowMilliseconds())
                    if json {
                        Terminal.write(try JSONOutput.encode(removed) + "\n")
                    } else {
                        Terminal.write(
                            "Removed batch \(removed.id) (\(removed.source)): \(removed.events) event\(removed.events == 1 ? "" : "s") deleted"
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

/// One batch as `verdict batches --json` prints it.
struct BatchListing: Codable {
    var id: Int64
    var source: String
    var format: String
    var sha256: String?
    var ingestedAt: String
    var rowsRead: Int
    var stored: Int
    var duplicates: Int
    var identical: Int
    var quarantined: Int
    var eventsNow: Int
    var removedAt: String?
    var replacedBy: Int64?
    var state: String

    init(_ batch: BatchRecord) {
        id = batch.id
        source = batch.source
        format = batch.format
        sha256 = batch.sha256
        ingestedAt = IngestSummary.time(batch.ingestedAt)
        rowsRead = batch.rowsRead
        stored = batch.stored
        duplicates = batch.duplicates
        identical = batch.identical
        quarantined = batch.quarantined
        eventsNow = batch.eventsNow
        removedAt = batch.removedAt.map(IngestSummary.time)
        replacedBy = batch.replacedBy
        state = batch.replacedBy.map { "replaced by \($0)" } ?? (batch.removedAt == nil ? "in force" : "removed")
    }

    enum CodingKeys: String, CodingKey {
        case id, source, format, sha256, stored, duplicates, identical, quarantined, state
        case ingestedAt = "ingested_at", rowsRead = "rows_read", eventsNow = "events_now", removedAt = "removed_at"
        case replacedBy = "replaced_by"
    }
}
