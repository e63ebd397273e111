import Foundation
import VerdictStore

/// One ingested batch, as `verdict batches` lists it.
public struct IngestBatch: Sendable, Equatable, Encodable {
    public var id: Int64
    /// The file as it was named (`-` for standard input).
    public var source: String
    /// `jsonl`, `csv`, or `csv:IMPORTER`.
    public var format: String
    @NullEncoded public var sha256: String?
    /// When it was ingested, UTC (`2026-11-09T13:00:00Z`).
    public var ingestedAt: String
    public var rowsRead: Int
    /// Events it stored (some may since have been removed with it).
    public var stored: Int
    /// Rows skipped because their event_id was already stored.
    public var duplicates: Int
    /// Rows skipped as identical to rows earlier batches stored.
    public var identical: Int
    public var quarantined: Int
    /// Its events still stored.
    public var eventsNow: Int
    /// When it was removed, if it was.
    @NullEncoded public var removedAt: String?
    /// The batch that replaced it, if one did.
    @NullEncoded public var replacedBy: Int64?
    /// `in force`, `removed`, or `replaced by N`.
    public let state: String

    init(_ batch: BatchRecord) {
        id = batch.id
        source = batch.source
        format = batch.format
        sha256 = batch.sha256
        ingestedAt = utcTime(batch.ingestedAt)
        rowsRead = batch.rowsRead
        stored = batch.stored
        duplicates = batch.duplicates
        identical = batch.identical
        quarantined = batch.quarantined
        eventsNow = batch.eventsNow
        removedAt = batch.removedAt.map(utcTime)
        replacedBy = batch.replacedBy
        state = batch.replacedBy.map { "replaced by \($0)" } ?? (batch.removedAt == nil ? "in force" : "removed")
    }

    enum CodingKeys: String, CodingKey {
        case id, source, format, sha256, stored, duplicates, identical, quarantined, state
        case ingestedAt = "ingested_at", rowsRead = "rows_read", eventsNow = "events_now", removedAt = "removed_at"
        case replacedBy = "replaced_by"
    }
}

/// A batch taken out by `verdict batch remove` or `ingest --replace`.
public struct BatchRemoval: Sendable, Equatable, Encodable {
    public var id: Int64
    public var source: String
    /// Its events, deleted.
    public var eventsRemoved: Int
    /// Its quarantined rows, no longer listed.
    public var quarantined: Int
    /// Later batches that skipped rows as identical to stored ones: some may have been this
    /// batch's, and come back by ingesting those files again with --replace.
    public var laterBatchesWithSkippedRows: [Int64]

    init(_ removed: RemovedBatch) {
        id = removed.id
        source = removed.source
        eventsRemoved = removed.events
        quarantined = removed.quarantined
        laterBatchesWithSkippedRows = removed.laterBatchesWithSkippedRows
    }

    enum CodingKeys: String, CodingKey {
        case source, quarantined
        case id = "batch", eventsRemoved = "events_removed", laterBatchesWithSkippedRows = "later_batches_with_skipped_rows"
    }
}

/// A row ingest refused, with its place and reason, and the batch that stored it fixed.
public struct QuarantineItem: Sendable, Equatable, Encodable {
    public var batch: Int64
    public var source: String
    /// The 1-based line where the row starts.
    public var line: Int
    public var reason: String
    /// The row exactly as it arrived.
    public var raw: String
    /// The batch that stored it fixed, if one did.
    @NullEncoded public var fixedBy: Int64?

    init(_ entry: QuarantineEntry) {
        batch = entry.batchID
        source = entry.row.source
        line = entry.row.line
        reason = entry.row.reason
        raw = entry.row.raw
        fixedBy = entry.resolvedBy
    }

    init(batch: Int64, row: QuarantinedRow) {
        self.batch = batch
        source = row.source
        line = row.line
        reason = row.reason
        raw = row.raw
        fixedBy = nil
    }

    enum CodingKeys: String, CodingKey {
        case batch, source, line, reason, raw
        case fixedBy = "fixed_by"
    }
}

/// A quarantined row dropped by `verdict quarantine drop`, as its audit record keeps it: where
/// it was and why it was refused, and the raw row's size and SHA-256 rather than the row itself.
public struct QuarantineDrop: Sendable, Equatable, Encodable {
    public var batch: Int64
    public var source: String
    public var line: Int
    /// The reasons of the refused events at that line (an importer's row may make several).
    public var reasons: [String]
    /// The raw row's length in bytes, and its SHA-256 (lowercase hex).
    public var rawBytes: Int
    public var rawSHA256: String

    init(_ entries: [QuarantineEntry]) {
        let first = entries[0]
        batch = first.batchID
        source = first.row.source
        line = first.row.line
        reasons = entries.map(\.row.reason)
        rawBytes = first.row.raw.utf8.count
        rawSHA256 = sha256Hex(first.row.raw)
    }

    enum CodingKeys: String, CodingKey {
        case batch, source, line, reasons
        case rawBytes = "raw_bytes", rawSHA256 = "raw_sha256"
    }
}

/// An instant in epoch milliseconds as ISO 8601 UTC (`2026-11-09T13:00:00Z`).
func utcTime(_ milliseconds: Int64) -> String {
    EventRecord.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000), in: TimeZone(identifier: "UTC")!)
}
