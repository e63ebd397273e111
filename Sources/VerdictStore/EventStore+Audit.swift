import GRDB

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

/// Digests a batch's stored rows in order (Core's SHA-256); `add` receives each row's canonical
/// bytes (see `EventStore.canonicalRow`).
public protocol RowDigester {
    mutating func add(_ bytes: [UInt8])
    func finish() -> String
}

extension EventStore {
    /// Appends one record in a transaction of its own.
    @discardableResult
    public func appendAudit(_ make: AuditRecordMaker) throws(StoreError) -> AuditRow {
        do {
            return try pool.write { db in try Self.appendAudit(db, make) }
        } catch {
            throw Self.wrap(error)
        }
    }

    /// Appends one record inside the caller's transaction, after the last one.
    static func appendAudit(_ db: Database, _ make: AuditRecordMaker) throws -> AuditRow {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        let row = make((last?["seq"] as Int64? ?? 0) + 1, last?["hash"])
        try db.execute(
            sql: "INSERT INTO audit (seq, at, change_id, actor, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [row.seq, row.at, row.changeID, row.actor, row.action, row.details, row.previousHash, row.hash])
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
    public func batchDigests<D: RowDigester>(_ makeDigester: () -> D) throws(StoreError) -> [Int64: String] {
        try read { db in
            var digesters: [Int64: D] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT batch_id, \(Self.digestColumns) FROM events ORDER BY id")
            while let row = try rows.next() {
                let batch: Int64 = row[0]
                digesters[batch, default: makeDigester()].add(Self.canonicalRow(row, from: 1))
            }
            return digesters.mapValues { $0.finish() }
        }
    }

    /// The columns a batch digest covers, in order.
    static let digestColumns = """
        event, ts, day, change_id, attributed, version_flag, user_cohort, user_id, status, latency_ms, value, event_id, props, hash
        """

    /// Digests the rows stored after `lastEarlierID` (one batch's, inside its transaction).
    static func digestRows(_ db: Database, after lastEarlierID: Int64, into digester: inout some RowDigester) throws -> String {
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(digestColumns) FROM events WHERE id > ? ORDER BY id", arguments: [lastEarlierID])
        while let row = try rows.next() { digester.add(canonicalRow(row, from: 0)) }
        return digester.finish()
    }

    /// A stored event's canonical bytes for batch digests (docs/audit.md): its columns in table
    /// order from `event` to `hash`, each as text (integers in decimal, reals as the shortest
    /// text that reads back as the same double, NULL as nothing), separated by U+001F and ended
    /// by U+001E.
    static func canonicalRow(_ row: Row, from first: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in first..<row.count {
            if index > first { bytes.append(0x1F) }
            let value: DatabaseValue = row[index]
            switch value.storage {
            case .int64(let integer): bytes.append(contentsOf: String(integer).utf8)
            case .double(let double): bytes.append(contentsOf: "\(double)".utf8)
            case .string(let text): bytes.append(contentsOf: text.utf8)
            case .blob(let data): bytes.append(contentsOf: data)
            case .null: break
            }
        }
        bytes.append(0x1E)
        return bytes
    }
}
