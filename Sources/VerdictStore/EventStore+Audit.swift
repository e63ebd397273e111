import GRDB
import GRDBSQLite

/// One record of the audit trail as stored. The chain's rules (what `hash` covers) belong to
/// Core's `AuditTrail`; the store keeps the rows in order and appends them atomically.
public struct AuditRow: Sendable, Equatable {
    public var seq: Int64
    /// Epoch milliseconds.
    public var at: Int64
    /// The change the action concerns; empty for the workspace.
    public var changeID: String
    public var actor: String
    public var action: String
    /// Canonical JSON.
    public var details: String
    public var previousHash: String
    public var hash: String

    public init(
        seq: Int64, at: Int64, changeID: String, actor: String, action: String, details: String, previousHash: String, hash: String
    ) {
        self.seq = seq
        self.at = at
        self.changeID = changeID
        self.actor = actor
        self.action = action
        self.details = details
        self.previousHash = previousHash
        self.hash = hash
    }

    init(_ row: Row) {
        self.init(
            seq: row["seq"], at: row["at"], changeID: row["change_id"], actor: row["actor"], action: row["action"],
            details: row["details"], previousHash: row["prev_hash"], hash: row["hash"])
    }
}

/// Makes the next audit record once its place in the chain is known: the sequence number it
/// gets and the hash of the record before it (the chain's start has none).
public typealias AuditRecordMaker = (_ seq: Int64, _ previousHash: String?) -> AuditRow

extension EventStore {
    /// Appends one record in a transaction of its own.
    @discardableResult
    public func appendAudit(_ make: AuditRecordMaker) throws(StoreError) -> AuditRow {
        do {
            return try exclusiveWrite { db in try Self.appendAudit(db, make) }
        } catch {
            throw wrap(error)
        }
    }

    /// Appends one record inside the caller's transaction, after the last one.
    static func appendAudit(_ db: Database, _ make: AuditRecordMaker) throws -> AuditRow {
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
        let row = make((last?["seq"] as Int64? ?? 0) + 1, last?["hash"])
        try db.cachedStatement(
            sql: "INSERT INTO audit (seq, at, change_id, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [row.seq, row.at, row.changeID, row.actor, row.action, row.details, row.previousHash, row.hash])
        return row
    }

    /// The records in order, of one change or all.
    public func auditRows(changeID: String? = nil) throws(StoreError) -> [AuditRow] {
        try read { db in
            if let changeID {
                return try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE change_id = ? ORDER BY seq", arguments: [changeID]).map(AuditRow.init)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq").map(AuditRow.init)
        }
    }

    /// The last record.
    public func auditHead() throws(StoreError) -> AuditRow? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT 1").map(AuditRow.init) }
    }

    /// Every batch's digest computed now from its events, in one pass over the events in id
    /// order (each batch's rows in the order it stored them), to compare with the digests
    /// recorded when the batches were ingested.
    public func batchDigests(_ makeDigester: () -> any RowDigester) throws(StoreError) -> [Int64: String] {
        try read { db in
            var digesters: [Int64: any RowDigester] = [:]
            try Self.eachRow(db, sql: "SELECT batch_id, \(Self.digestColumns) FROM events ORDER BY id") { statement, encoding in
                let batch = sqlite3_column_int64(statement, 0)
                let digester = digesters[batch] ?? makeDigester()
                digesters[batch] = digester
                encoding.bytes.withUnsafeBytes { digester.add($0) }
            }
            return digesters.mapValues { $0.finish() }
        }
    }

    /// The columns a batch digest covers, in order.
    static let digestColumns = """
        event, ts, day, change_id, attributed, version_flag, user_cohort, user_id, status, latency_ms, value, event_id, props, hash
        """

    /// Digests the rows stored after `lastEarlierID` (one batch's, inside its transaction).
    static func digestRows(_ db: Database, after lastEarlierID: Int64, into digester: any RowDigester) throws -> String {
        try eachRow(db, sql: "SELECT 0, \(digestColumns) FROM events WHERE id > \(lastEarlierID) ORDER BY id") { _, encoding in
            encoding.bytes.withUnsafeBytes { digester.add($0) }
        }
        return digester.finish()
    }

    /// Digests the events of `changeID` on the local days `days` as the evaluation reads them
    /// (docs/audit.md: a verdict's data digest): the columns of the per-change index (`change_id,
    /// day, event, version_flag, user_cohort, status, user_id, value, latency_ms`), in the
    /// index's order, so the digest reads the index alone and never the rows themselves.
    public func windowDigest(
        _ changeID: String, days: ClosedRange<Int32>, into digester: any RowDigester
    ) throws(StoreError) -> (digest: String, events: Int) {
        try read { db in try Self.windowDigest(db, changeID, days: days, into: digester) }
    }

    /// The columns of a verdict's data digest, in order: the per-change index's.
    static let windowColumns = "change_id, day, event, version_flag, user_cohort, status, user_id, value, latency_ms"

    static func windowDigest(
        _ db: Database, _ changeID: String, days: ClosedRange<Int32>, into digester: any RowDigester
    ) throws -> (digest: String, events: Int) {
        let sql = """
            SELECT \(windowColumns) FROM events INDEXED BY events_by_change
            WHERE change_id = ? AND day BETWEEN ? AND ? ORDER BY \(windowColumns)
            """
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments([changeID, days.lowerBound, days.upperBound])
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var encoding = RowEncoding()
        var count = 0
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw StoreError.sqlite(message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
            }
            for index in 0..<sqlite3_column_count(handle) { encoding.column(handle, index) }
            count += 1
            if encoding.bytes.count >= 1 << 16 {
                encoding.bytes.withUnsafeBytes { digester.add($0) }
                encoding.reset()
            }
        }
        encoding.bytes.withUnsafeBytes { digester.add($0) }
        return (digester.finish(), count)
    }

    /// Steps `sql` (its first column a key, then the digest columns) on the raw handle, encoding
    /// each row's digest columns: no Row values, no strings made.
    private static func eachRow(_ db: Database, sql: String, _ body: (OpaquePointer, RowEncoding) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        let handle = statement.sqliteStatement
        var encoding = RowEncoding()
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw StoreError.sqlite(message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
            }
            encoding.reset()
            // Columns 1... are the digest columns; change_id (4), attributed (5) and version_flag
            // (6) as the event arrived: a change or a flag Verdict stamped is not part of it (see
            // `RowEncoding`).
            let attributed = sqlite3_column_int64(handle, 5)
            let named = ChangeSource(attributed: attributed) == .event
            let listed = attributed & ChangeSource.flagFromListBit != 0
            for index in 1..<sqlite3_column_count(handle) {
                switch index {
                case 4 where !named: encoding.null()
                case 5: encoding.integer(named ? 1 : 0)
                case 6 where listed: encoding.null()
                default: encoding.column(handle, index)
                }
            }
            try body(handle, encoding)
        }
    }
}
