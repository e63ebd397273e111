import GRDB

/// One ingested batch, as `verdict batches` lists it.
public struct BatchRecord: Sendable, Equatable, Codable {
    public var id: Int64
    /// The file as it was named (`-` for standard input).
    public var source: String
    /// `jsonl`, `csv`, or `csv:IMPORTER`.
    public var format: String
    public var sha256: String?
    public var rowsRead: Int
    /// Events it stored (some may since have been removed with the batch).
    public var stored: Int
    /// Events skipped because their event_id was already stored.
    public var duplicates: Int
    /// Events skipped as identical to rows earlier batches stored.
    public var identical: Int
    public var quarantined: Int
    /// When it was ingested (epoch ms).
    public var ingestedAt: Int64
    /// When it was removed (epoch ms), if it was.
    public var removedAt: Int64?
    /// The batch that replaced it, if one did.
    public var replacedBy: Int64?
    /// Events of it still stored.
    public var eventsNow: Int

    init(_ row: Row) {
        id = row["id"]
        source = row["source"]
        format = row["format"]
        sha256 = row["sha256"] ?? row["removed_sha256"]
        rowsRead = row["rows_read"]
        stored = row["stored"]
        duplicates = row["duplicates"]
        identical = row["identical"]
        quarantined = row["quarantined"]
        ingestedAt = row["ingested_at"]
        removedAt = row["removed_at"]
        replacedBy = row["replaced_by"]
        eventsNow = row["events_now"] ?? 0
    }
}

/// A batch taken out of force by `verdict batch remove` or `ingest --replace`.
public struct RemovedBatch: Sendable, Equatable, Codable {
    public var id: Int64
    public var source: String
    /// Its events deleted from the store.
    public var events: Int
    /// Its quarantined rows, now no longer listed.
    public var quarantined: Int
    /// Later batches in force that skipped rows as identical to stored ones: some of those rows
    /// may have been this batch's, and are stored again by ingesting those files with --replace.
    public var laterBatchesWithSkippedRows: [Int64] = []

    /// Describes a removed batch.
    public init(id: Int64, source: String, events: Int, quarantined: Int, laterBatchesWithSkippedRows: [Int64] = []) {
        self.id = id
        self.source = source
        self.events = events
        self.quarantined = quarantined
        self.laterBatchesWithSkippedRows = laterBatchesWithSkippedRows
    }
}

/// A quarantined row with the batch it belongs to and, once a later batch stored it fixed, that batch.
public struct QuarantineEntry: Sendable, Equatable {
    public var id: Int64
    public var batchID: Int64
    public var row: QuarantinedRow
    /// The batch's format (`jsonl`, `csv`, `csv:IMPORTER`).
    public var format: String
    /// The batch's header line, for CSV sources.
    public var header: String?
    /// The batch that stored this row fixed.
    public var resolvedBy: Int64?
}

extension QuarantineEntry {
    /// The columns a quarantine query selects (`q` the quarantine, `b` its batch) for `init(_:)`.
    static let columns = "q.id, q.batch_id, q.source, q.line, q.reason, q.raw, q.resolved_by, b.format, b.header"

    init(_ row: Row) {
        self.init(
            id: row["id"], batchID: row["batch_id"],
            row: QuarantinedRow(source: row["source"], line: row["line"], reason: row["reason"], raw: row["raw"]),
            format: row["format"], header: row["header"], resolvedBy: row["resolved_by"])
    }
}

extension EventStore {
    /// The batch in force whose identity (its `sha256`) is `identity`, and when it was ingested:
    /// ingest asks before it reads a file through an importer, so a file seen before costs nothing.
    public func batch(identity: String) throws(StoreError) -> (batchID: Int64, at: Int64)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT id, ingested_at FROM batches WHERE sha256 = ?", arguments: [identity])
                .map { (batchID: $0["id"], at: $0["ingested_at"]) }
        }
    }

    /// Every batch, oldest first, with how many of its events are still stored.
    public func batches() throws(StoreError) -> [BatchRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT b.*, (SELECT COUNT(*) FROM events WHERE batch_id = b.id) AS events_now
                    FROM batches b ORDER BY b.id
                    """
            ).map(BatchRecord.init)
        }
    }

    /// Removes batch `id` in one transaction: deletes its events, keeps the batch as history
    /// marked removed. Fails when there is no such batch in force.
    public func removeBatch(
        _ id: Int64, at time: Int64, audit: ((RemovedBatch) -> AuditRecordMaker)? = nil
    ) throws(StoreError) -> RemovedBatch {
        do {
            return try exclusiveWrite { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT source, removed_at FROM batches WHERE id = ?", arguments: [id]) else {
                    throw StoreError.notFound("there is no batch \(id); `verdict batches` lists them")
                }
                if (row["removed_at"] as Int64?) != nil {
                    throw StoreError.notFound("batch \(id) was already removed; nothing changed")
                }
                let removed = try Self.remove(db, batch: id, source: row["source"], at: time)
                if let audit { _ = try Self.appendAudit(db, audit(removed)) }
                return removed
            }
        } catch {
            throw wrap(error)
        }
    }

    /// Removes every batch in force from `source`, inside the caller's transaction.
    static func removeBatches(_ db: Database, source: String, at time: Int64) throws -> [RemovedBatch] {
        let ids = try Int64.fetchAll(db, sql: "SELECT id FROM batches WHERE source = ? AND removed_at IS NULL ORDER BY id", arguments: [source])
        return try ids.map { try remove(db, batch: $0, source: source, at: time) }
    }

    private static func remove(_ db: Database, batch id: Int64, source: String, at time: Int64) throws -> RemovedBatch {
        try db.execute(sql: "DELETE FROM events WHERE batch_id = ?", arguments: [id])
        let events = db.changesCount
        let quarantined = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine WHERE batch_id = ?", arguments: [id]) ?? 0
        try db.execute(
            sql: "UPDATE batches SET removed_at = ?, removed_sha256 = sha256, sha256 = NULL WHERE id = ?", arguments: [time, id])
        let later = try Int64.fetchAll(
            db, sql: "SELECT id FROM batches WHERE id > ? AND removed_at IS NULL AND identical > 0 ORDER BY id", arguments: [id])
        return RemovedBatch(id: id, source: source, events: events, quarantined: quarantined, laterBatchesWithSkippedRows: later)
    }

    /// Quarantined rows, oldest batch first, by line; optionally of one batch or one source.
    /// Without `all`, only rows still to fix: not yet stored fixed by a later batch, and not of a
    /// removed batch. With `maxRawBytes`, only rows whose raw text is at most that many bytes.
    public func quarantine(
        batch: Int64? = nil, source: String? = nil, all: Bool = true, limit: Int? = nil, maxRawBytes: Int? = nil
    ) throws(StoreError) -> [QuarantineEntry] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let maxRawBytes {
            conditions.append("length(CAST(q.raw AS BLOB)) <= ?")
            arguments.append(maxRawBytes)
        }
        if let batch {
            conditions.append("q.batch_id = ?")
            arguments.append(batch)
        }
        if let source {
            conditions.append("q.source = ?")
            arguments.append(source)
        }
        if !all { conditions.append("q.resolved_by IS NULL AND b.removed_at IS NULL") }
        var sql = """
            SELECT \(QuarantineEntry.columns) FROM quarantine q JOIN batches b ON b.id = q.batch_id
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY q.batch_id, q.line, q.id"
        if let limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        let finalSQL = sql
        let finalArguments = StatementArguments(arguments)
        return try read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(QuarantineEntry.init)
        }
    }

    /// Deletes the quarantined rows of `source` that start at `line` (of `batch`, when given),
    /// in one transaction with the record `audit` makes of them; returns them as they were.
    /// An importer's row that made several refused events is several rows at one line: all go.
    /// Fails when none matches, or when rows of more than one batch match and no batch is given.
    public func dropQuarantined(
        source: String, line: Int, batch: Int64?, audit: ([QuarantineEntry]) -> AuditRecordMaker
    ) throws(StoreError) -> [QuarantineEntry] {
        do {
            return try exclusiveWrite { db in
                var sql = """
                    SELECT \(QuarantineEntry.columns) FROM quarantine q JOIN batches b ON b.id = q.batch_id
                    WHERE q.source = ? AND q.line = ?
                    """
                var arguments: StatementArguments = [source, line]
                if let batch {
                    sql += " AND q.batch_id = ?"
                    arguments += [batch]
                }
                let rows = try Row.fetchAll(db, sql: sql + " ORDER BY q.id", arguments: arguments).map(QuarantineEntry.init)
                let batches = Set(rows.map(\.batchID)).sorted()
                guard !rows.isEmpty else {
                    let batchWords = batch.map { " in batch \($0)" } ?? ""
                    throw StoreError.notFound("no quarantined row of \(source) starts at line \(line)\(batchWords); `verdict quarantine --all` lists them")
                }
                guard batches.count == 1 else {
                    throw StoreError.conflict(
                        "rows of \(source) at line \(line) are quarantined in batches \(batches.map(String.init).joined(separator: ", ")); "
                            + "say which with --batch")
                }
                try db.execute(sql: "DELETE FROM quarantine WHERE id IN (\(rows.map { String($0.id) }.joined(separator: ",")))")
                _ = try Self.appendAudit(db, audit(rows))
                return rows
            }
        } catch {
            throw wrap(error)
        }
    }

    /// Every event name the store has seen, sorted (names of removed batches included).
    public func eventNames() throws(StoreError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM event_names ORDER BY name") }
    }

    /// Quarantined rows of one batch (or all), as they were refused.
    public func quarantinedRows(batch: Int64? = nil, source: String? = nil, limit: Int? = nil) throws(StoreError)
        -> [QuarantinedRow]
    {
        try quarantine(batch: batch, source: source, all: true, limit: limit).map(\.row)
    }
}
