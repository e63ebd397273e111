import Foundation
import VerdictStore

/// One ingested batch, as `verdict batches` lists it.
public struct IngestBatch: Sendable, Equatable, Codable {
    public var id: Int64
    /// The file as it was named (`-` for standard input).
    public var source: String
    /// `jsonl`, `csv`, or `csv:IMPORTER`.
    public var format: String
    public var sha256: String?
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
    public var removedAt: String?
    /// The batch that replaced it, if one did.
    public var replacedBy: Int64?

    /// `in force`, `removed`, or `replaced by N`.
    public var state: String {
        replacedBy.map { "replaced by \($0)" } ?? (removedAt == nil ? "in force" : "removed")
    }

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
    }

    enum CodingKeys: String, CodingKey {
        case id, source, format, sha256, stored, duplicates, identical, quarantined, state
        case ingestedAt = "ingested_at", rowsRead = "rows_read", eventsNow = "events_now", removedAt = "removed_at"
        case replacedBy = "replaced_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        source = try c.decode(String.self, forKey: .source)
        format = try c.decode(String.self, forKey: .format)
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        ingestedAt = try c.decode(String.self, forKey: .ingestedAt)
        rowsRead = try c.decode(Int.self, forKey: .rowsRead)
        stored = try c.decode(Int.self, forKey: .stored)
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        identical = try c.decode(Int.self, forKey: .identical)
        quarantined = try c.decode(Int.self, forKey: .quarantined)
        eventsNow = try c.decode(Int.self, forKey: .eventsNow)
        removedAt = try c.decodeIfPresent(String.self, forKey: .removedAt)
        replacedBy = try c.decodeIfPresent(Int64.self, forKey: .replacedBy)
    }

    /// Every field, absent ones as null, and the state in words.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encode(format, forKey: .format)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(ingestedAt, forKey: .ingestedAt)
        try c.encode(rowsRead, forKey: .rowsRead)
        try c.encode(stored, forKey: .stored)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(identical, forKey: .identical)
        try c.encode(quarantined, forKey: .quarantined)
        try c.encode(eventsNow, forKey: .eventsNow)
        try c.encode(removedAt, forKey: .removedAt)
        try c.encode(replacedBy, forKey: .replacedBy)
        try c.encode(state, forKey: .state)
    }
}

/// A batch taken out by `verdict batch remove` or `ingest --replace`.
public struct BatchRemoval: Sendable, Equatable, Codable {
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
        case id, source, quarantined
        case eventsRemoved = "events_removed", laterBatchesWithSkippedRows = "later_batches_with_skipped_rows"
    }
}

/// A row ingest refused, with its place and reason, and the batch that stored it fixed.
public struct QuarantineItem: Sendable, Equatable, Codable {
    public var batch: Int64
    public var source: String
    /// The 1-based line where the row starts.
    public var line: Int
    public var reason: String
    /// The row exactly as it arrived.
    public var raw: String
    /// The batch that stored it fixed, if one did.
    public var fixedBy: Int64?

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

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batch = try c.decode(Int64.self, forKey: .batch)
        source = try c.decode(String.self, forKey: .source)
        line = try c.decode(Int.self, forKey: .line)
        reason = try c.decode(String.self, forKey: .reason)
        raw = try c.decode(String.self, forKey: .raw)
        fixedBy = try c.decodeIfPresent(Int64.self, forKey: .fixedBy)
    }

    /// `fixed_by` is null while the row is still to fix.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(batch, forKey: .batch)
        try c.encode(source, forKey: .source)
        try c.encode(line, forKey: .line)
        try c.encode(reason, forKey: .reason)
        try c.encode(raw, forKey: .raw)
        try c.encode(fixedBy, forKey: .fixedBy)
    }
}

/// An instant in epoch milliseconds as ISO 8601 UTC (`2026-11-09T13:00:00Z`).
func utcTime(_ milliseconds: Int64) -> String {
    EventRecord.format(Date(timeIntervalSince1970: Double(milliseconds) / 1000), in: TimeZone(identifier: "UTC")!)
}
