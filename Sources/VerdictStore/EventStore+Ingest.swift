import GRDB
import GRDBSQLite

/// What happened to one ingested batch.
public struct BatchOutcome: Sendable, Equatable {
    /// The batch's id, or nil when nothing was stored because the same file was ingested before.
    public var batchID: Int64?
    /// Rows read from the source.
    public var rowsRead: Int
    /// Events stored.
    public var stored: Int
    /// Events not stored because their event_id was already stored.
    public var duplicates: Int
    /// Events without an event_id not stored because an earlier batch stored the same row, in
    /// every field, at least as many times (see `EventStore.skipIdenticalRows`).
    public var identical: Int = 0
    /// Quarantined rows of earlier batches that this batch stored, fixed.
    public var resolved: Int = 0
    /// The SHA-256 of the input's bytes.
    public var sha256: String?
    /// The digest of the rows it stored (see `EventStore.digestRows`), when one was asked for.
    public var digest: String?
    /// Its record on the audit trail, when one was asked for.
    public var auditRecord: AuditRow?
    /// The batches this one replaced (`ingest --replace`), with the events each had stored.
    public var replaced: [RemovedBatch] = []
    /// Rows sent to quarantine.
    public var quarantined: Int
    /// When the same content was ingested before: that batch's id and time (epoch ms).
    public var alreadyIngested: (batchID: Int64, at: Int64)?

    /// Creates an outcome.
    public init(
        batchID: Int64?, rowsRead: Int, stored: Int, duplicates: Int, quarantined: Int,
        alreadyIngested: (batchID: Int64, at: Int64)? = nil
    ) {
        self.batchID = batchID
        self.rowsRead = rowsRead
        self.stored = stored
        self.duplicates = duplicates
        self.quarantined = quarantined
        self.alreadyIngested = alreadyIngested
    }

    public static func == (a: BatchOutcome, b: BatchOutcome) -> Bool {
        a.batchID == b.batchID && a.rowsRead == b.rowsRead && a.stored == b.stored && a.duplicates == b.duplicates
            && a.identical == b.identical && a.resolved == b.resolved && a.replaced == b.replaced
            && a.quarantined == b.quarantined && a.alreadyIngested?.batchID == b.alreadyIngested?.batchID
            && a.alreadyIngested?.at == b.alreadyIngested?.at
    }
}

/// Writes the rows of one batch inside its transaction. Only valid inside `EventStore.ingest`.
public final class BatchWriter {
    private let db: Database
    private let batchID: Int64
    private let insert: OpaquePointer
    private let insertStatement: Statement  // keeps `insert` alive
    private(set) var rowsRead = 0
    private(set) var stored = 0
    private(set) var duplicates = 0
    private(set) var quarantined = 0
    private(set) var identical = 0
    /// The source's header line, kept with the batch so its quarantined rows export as a file
    /// that ingests again (a CSV source's first line).
    public var header: String?
    /// Quarantine rows of earlier batches that rows of this batch fix (ids).
    private(set) var resolves: Set<Int64> = []
    /// The event names of the batch's rows.
    private(set) var eventNames: Set<String> = []
    /// Digests each stored row as it is written (valid while no row is removed afterwards).
    var digester: (any RowDigester)?
    private var encoding = RowEncoding()
    /// The (change, day) pairs of the batch's rows without an event_id: where identical rows
    /// of earlier batches can be.
    private(set) var keylessPairs: Set<ChangeDay> = []

    struct ChangeDay: Hashable {
        var change: String
        var day: Int32
    }

    /// - Parameter checkingEventIDs: skip each event whose event_id is already stored, row by row
    ///   (the unique index refuses it); a bulk batch (no indexes while it loads) passes false and
    ///   removes repeats at the end.
    init(db: Database, batchID: Int64, checkingEventIDs: Bool) throws {
        self.db = db
        self.batchID = batchID
        let columns = """
            INSERT INTO events (batch_id, event, ts, day, change_id, attributed, version_flag,
                user_cohort, user_id, status, latency_ms, value, event_id, props, hash)
            """
        insertStatement = try db.cachedStatement(
            sql: columns + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
                + (checkingEventIDs ? " ON CONFLICT DO NOTHING" : ""))
        insert = insertStatement.sqliteStatement
    }

    /// Hands the rows encoded so far to the digester.
    func flushDigest(into digester: any RowDigester) {
        encoding.bytes.withUnsafeBytes { digester.add($0) }
        encoding.reset()
    }

    /// Rows stored as they were written, before any was removed as a repeat or identical.
    private(set) var rowsStoredAsWritten = 0

    /// Counts rows a bulk batch removed as repeats of a stored event_id.
    func countRemovedDuplicates(_ count: Int) {
        stored -= count
        duplicates += count
    }

    /// Counts rows removed as identical to rows earlier batches stored.
    func countRemovedIdentical(_ count: Int) {
        stored -= count
        identical += count
    }

    /// Notes that the row just written fixes these quarantined rows of earlier batches.
    public func resolve(_ quarantineIDs: [Int64]) {
        resolves.formUnion(quarantineIDs)
    }

    /// Gives an event that names no change the change live for it, and one that carries no flag
    /// the variant of the customer list it is on, as the store stands inside this batch's
    /// transaction (see `startedChanges()`, `assignments()`); set before the first row is stored.
    /// Stamping here, under the write lock, is what makes it exact when a start races the batch:
    /// a start that commits first is seen, and one that commits later stamps what is stored.
    public var stamp: ((inout Event) -> Void)?

    /// The started changes as this batch's transaction sees them, for `stamp`.
    public func startedChanges() throws -> [StartedChangeRow] {
        try EventStore.startedChanges(db)
    }

    /// The customers on lists handed out, as this batch's transaction sees them, for `stamp`.
    public func assignedCustomers() throws -> [AssignedCustomer] {
        try EventStore.assignedCustomers(db)
    }

    /// Stores an event; returns false when its event_id is already stored (a duplicate).
    @discardableResult
    public func store(_ event: Event) throws -> Bool {
        var event = event
        if let stamp { stamp(&event) }
        rowsRead += 1
        eventNames.insert(event.event)
        if event.eventID == nil { keylessPairs.insert(ChangeDay(change: event.changeID, day: event.day)) }
        let s = insert
        sqlite3_bind_int64(s, 1, batchID)
        bind(event.event, 2)
        sqlite3_bind_int64(s, 3, event.timestamp)
        sqlite3_bind_int64(s, 4, Int64(event.day))
        bind(event.changeID, 5)
        sqlite3_bind_int64(s, 6, event.changeSource.rawValue | (event.flagFromList ? ChangeSource.flagFromListBit : 0))
        bind(event.versionFlag, 7)
        bind(event.userCohort, 8)
        bind(event.userID, 9)
        bind(event.status, 10)
        bind(event.latencyMs, 11)
        bind(event.value, 12)
        bind(event.eventID, 13)
        bind(event.props, 14)
        bind(event.hash, 15)
        let code = sqlite3_step(s)
        sqlite3_reset(s)
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: insertStatement.sql)
        }
        if sqlite3_changes(db.sqliteConnection) == 0 {
            duplicates += 1
            return false
        }
        stored += 1
        rowsStoredAsWritten += 1
        if let digester {
            encoding.text(event.event)
            encoding.integer(event.timestamp)
            encoding.integer(Int64(event.day))
            if event.changeSource == .event {
                encoding.text(event.changeID)
                encoding.integer(1)
            } else {
                encoding.null()
                encoding.integer(0)
            }
            encoding.text(event.flagFromList ? nil : event.versionFlag)
            encoding.text(event.userCohort)
            encoding.text(event.userID)
            encoding.text(event.status)
            encoding.real(event.latencyMs)
            encoding.real(event.value)
            encoding.text(event.eventID)
            encoding.text(event.props)
            encoding.text(event.hash)
            // Hashed in blocks of rows: one update per 64 KB rather than per row.
            if encoding.bytes.count >= 1 << 16 { flushDigest(into: digester) }
        }
        return true
    }

    /// Keeps a row that failed validation, with its line and reason.
    public func quarantine(_ row: QuarantinedRow) throws {
        rowsRead += 1
        quarantined += 1
        try db.cachedStatement(sql: "INSERT INTO quarantine (batch_id, source, line, reason, raw) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [batchID, row.source, row.line, row.reason, row.raw])
    }

    private func bind(_ text: String?, _ index: Int32) {
        guard let text else { return _ = sqlite3_bind_null(insert, index) }
        text.withCString { chars in
            _ = sqlite3_bind_text(insert, index, chars, Int32(text.utf8.count), sqliteTransient)
        }
    }

    private func bind(_ number: Double?, _ index: Int32) {
        guard let number else { return _ = sqlite3_bind_null(insert, index) }
        sqlite3_bind_double(insert, index, number)
    }
}

@available(*, unavailable)
extension BatchWriter: Sendable {}

/// SQLite's SQLITE_TRANSIENT (a macro Swift cannot import): copy the bound bytes.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Thrown inside the batch transaction to roll it back when its content was ingested before.
private struct AlreadyIngested: Error {
    var batchID: Int64
    var at: Int64
}

extension EventStore {
    /// From how many expected rows a batch may rebuild the query indexes rather than update them.
    static let bulkThreshold = 50_000

    /// Builds the unique event_id index after a bulk batch's rows are in; when some event_id is
    /// stored twice, first deletes the batch's rows that repeat an earlier row's (of any batch).
    /// Returns how many rows it deleted.
    static func indexEventIDs(_ db: Database, batchID: Int64) throws -> Int {
        do {
            try db.execute(sql: Schema.eventIDIndex)
            return 0
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // Repeats: find them in one scan of a plain index, then build the unique one.
        }
        try db.execute(sql: "CREATE INDEX events_by_event_id ON events(event_id) WHERE event_id IS NOT NULL")
        let repeated = try Row.fetchAll(
            db,
            sql: """
                SELECT event_id, MIN(id) AS first FROM events WHERE event_id IS NOT NULL
                GROUP BY event_id HAVING COUNT(*) > 1
                """)
        let statement = try db.makeStatement(
            sql: "DELETE FROM events WHERE event_id = ? AND id > ? AND batch_id = ?")
        var removed = 0
        for row in repeated {
            try statement.execute(arguments: [row["event_id"] as String, row["first"] as Int64, batchID])
            removed += db.changesCount
        }
        try db.execute(sql: "DROP INDEX events_by_event_id")
        try db.execute(sql: Schema.eventIDIndex)
        return removed
    }

    /// Ingests one batch in one transaction: after a crash it is either fully stored or absent.
    ///
    /// `body` writes the rows through the writer and returns the SHA-256 of the batch's content.
    /// When a batch in force has that SHA-256, everything the batch wrote is rolled back and
    /// the outcome says so; nothing is stored twice. Rows without an event_id that earlier batches
    /// stored already are skipped as a multiset (see `skipIdenticalRows`).
    ///
    /// With `replacing`, the batches in force from the same source are removed first, in the
    /// same transaction: their events deleted, the batches kept as history and marked replaced.
    ///
    /// `expectedRows` (a guess is fine) lets a batch that is large next to the stored events
    /// rebuild the query indexes once instead of updating them row by row.
    ///
    /// With `digester`, the batch's stored rows are digested and the digest kept with it; with
    /// `audit`, the record it makes of the outcome is appended to the audit trail in the same
    /// transaction, so a batch is never stored without its record, nor recorded without its rows.
    public func ingest(
        source: String, format: String, at time: Int64, expectedRows: Int? = nil, replacing: Bool = false,
        digester makeDigester: (() -> any RowDigester)? = nil, audit: ((BatchOutcome) -> AuditRecordMaker)? = nil,
        _ body: @escaping (BatchWriter) throws -> String
    ) throws -> BatchOutcome {
        let batch = PendingBatch(
            source: source, format: format, at: time, expectedRows: expectedRows, replacing: replacing, digester: makeDigester,
            audit: audit, body: body)
        do {
            return try exclusiveWrite { db in try Self.write(db, batch) }
        } catch let error as DatabaseError {
            throw wrap(error)
        }
    }

    /// One batch to write: what `ingest(source:format:at:…)` takes, for `ingest(group:)`.
    public struct PendingBatch {
        public var source: String
        public var format: String
        public var at: Int64
        public var expectedRows: Int?
        public var replacing: Bool
        public var digester: (() -> any RowDigester)?
        public var audit: ((BatchOutcome) -> AuditRecordMaker)?
        public var body: (BatchWriter) throws -> String
        /// A webhook delivery this batch is made of: marked `mapped` (with the batch and its
        /// topic) in the batch's own savepoint, so a delivery is mapped once or not at all.
        public var delivery: (id: Int64, status: String, topic: String?)?

        public init(
            source: String, format: String, at: Int64, expectedRows: Int? = nil, replacing: Bool = false,
            digester: (() -> any RowDigester)? = nil, audit: ((BatchOutcome) -> AuditRecordMaker)? = nil,
            body: @escaping (BatchWriter) throws -> String
        ) {
            self.source = source
            self.format = format
            self.at = at
            self.expectedRows = expectedRows
            self.replacing = replacing
            self.digester = digester
            self.audit = audit
            self.body = body
        }
    }

    /// Writes several batches in one transaction, each as `ingest` would one after another
    /// (the same deduplication against the batches before it, each with its own audit record),
    /// and commits once: the server groups the requests that arrive while a commit is under way.
    ///
    /// A batch whose body throws is rolled back alone (its savepoint) and answers that error;
    /// the others are kept. An error of the store itself rolls back the whole group and is thrown.
    public func ingest(group: [PendingBatch]) throws -> [Result<BatchOutcome, any Error>] {
        do {
            return try exclusiveWrite { db in
                try group.map { batch in
                    do {
                        return .success(try Self.write(db, batch))
                    } catch let error as DatabaseError {
                        throw error
                    } catch {
                        return .failure(error)
                    }
                }
            }
        } catch let error as DatabaseError {
            throw wrap(error)
        }
    }

    /// Writes one batch inside the transaction under way, in a savepoint of its own: after
    /// a crash, or when the same content is found stored, it is either whole or absent.
    static func write(_ db: Database, _ batch: PendingBatch) throws -> BatchOutcome {
        var outcome: BatchOutcome?
        do {
            try db.inSavepoint {
                outcome = try writeRows(db, batch)
                return .commit
            }
        } catch let earlier as AlreadyIngested {
            return BatchOutcome(
                batchID: nil, rowsRead: 0, stored: 0, duplicates: 0, quarantined: 0, alreadyIngested: (earlier.batchID, earlier.at))
        }
        return outcome!
    }

    private static func writeRows(_ db: Database, _ batch: PendingBatch) throws -> BatchOutcome {
        let (source, format, time, expectedRows, replacing, makeDigester, audit, body) = (
            batch.source, batch.format, batch.at, batch.expectedRows, batch.replacing, batch.digester, batch.audit, batch.body
        )
        let replaced = replacing ? try Self.removeBatches(db, source: source, at: time) : []
        // The last id stands in for the number of events (cheap; counting scans them all).
        // Statements are cached on the connection: the server writes many small batches in a row.
        let lastEarlierID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM events")) ?? 0
        let expected = expectedRows ?? 0
        let bulk = expected >= Self.bulkThreshold && expected * 2 >= Int(lastEarlierID)
        if bulk {
            for name in Schema.eventIndexNames { try db.execute(sql: "DROP INDEX \(name)") }
        }
        try db.cachedStatement(sql: "INSERT INTO batches (source, format, ingested_at) VALUES (?, ?, ?)")
            .execute(arguments: [source, format, time])
        let batchID = db.lastInsertedRowID
        let writer = try BatchWriter(db: db, batchID: batchID, checkingEventIDs: !bulk)
        writer.digester = makeDigester?()
        let sha256 = try body(writer)
        if let earlier = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, ingested_at FROM batches WHERE sha256 = ?"), arguments: [sha256])
        {
            throw AlreadyIngested(batchID: earlier["id"], at: earlier["ingested_at"])
        }
        if bulk {
            writer.countRemovedDuplicates(try Self.indexEventIDs(db, batchID: batchID))
            try db.execute(sql: Schema.changeIndex)
        }
        writer.countRemovedIdentical(try Self.skipIdenticalRows(db, after: lastEarlierID, pairs: writer.keylessPairs))
        let names = try db.cachedStatement(sql: "INSERT OR IGNORE INTO event_names (name, first_batch) VALUES (?, ?)")
        for name in writer.eventNames { try names.execute(arguments: [name, batchID]) }
        let resolves = Array(writer.resolves)
        // Counted as updated: a row another batch fixed first is not fixed twice.
        var resolved = 0
        for start in stride(from: 0, to: resolves.count, by: 500) {
            let part = resolves[start..<min(start + 500, resolves.count)]
            try db.execute(
                sql: "UPDATE quarantine SET resolved_by = ? WHERE resolved_by IS NULL AND id IN (\(part.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments([batchID] + part.map { $0 }))
            resolved += db.changesCount
        }
        try db.cachedStatement(
            sql: """
                UPDATE batches SET sha256 = ?, rows_read = ?, stored = ?, duplicates = ?, identical = ?,
                    quarantined = ?, header = ? WHERE id = ?
                """
        ).execute(
            arguments: [
                sha256, writer.rowsRead, writer.stored, writer.duplicates, writer.identical, writer.quarantined,
                writer.header, batchID,
            ])
        for old in replaced {
            try db.execute(sql: "UPDATE batches SET replaced_by = ? WHERE id = ?", arguments: [batchID, old.id])
        }
        var outcome = BatchOutcome(
            batchID: batchID, rowsRead: writer.rowsRead, stored: writer.stored, duplicates: writer.duplicates,
            quarantined: writer.quarantined)
        outcome.identical = writer.identical
        outcome.resolved = resolved
        outcome.replaced = replaced
        outcome.sha256 = sha256
        if let delivery = batch.delivery {
            try db.execute(
                sql: "UPDATE hook_deliveries SET status = ?, topic = ?, batch_id = ?, reason = NULL WHERE id = ?",
                arguments: [delivery.status, delivery.topic, batchID, delivery.id])
        }
        if let makeDigester, let streamed = writer.digester {
            // Rows removed after they were written (repeats found in bulk, identical rows)
            // leave the streamed digest behind: read the batch back instead.
            let removedLater = writer.stored != writer.rowsStoredAsWritten
            writer.flushDigest(into: streamed)
            let digest = removedLater ? try Self.digestRows(db, after: lastEarlierID, into: makeDigester()) : streamed.finish()
            try db.cachedStatement(sql: "UPDATE batches SET digest = ? WHERE id = ?").execute(arguments: [digest, batchID])
            outcome.digest = digest
        }
        if let audit { outcome.auditRecord = try Self.appendAudit(db, audit(outcome)) }
        return outcome
    }

    /// Removes the rows of the batch (ids above `lastEarlierID`) that repeat rows earlier batches
    /// stored, for rows without an event_id; returns how many it removed.
    ///
    /// "Identical" is every field: event, time, change and its attribution, flag, cohort,
    /// customer, status, latency, value and props. The rows count as a multiset: when the batch
    /// has m copies of a row that earlier batches stored k times, m − k are kept (none when
    /// k ≥ m), so a file's own repeated rows all stay while an overlapping export adds only what
    /// is new. Only (change, day) pairs that earlier batches also hold rows in are compared, each
    /// through the per-change index, so a batch of new days costs one lookup per pair.
    static func skipIdenticalRows(_ db: Database, after lastEarlierID: Int64, pairs: Set<BatchWriter.ChangeDay>) throws -> Int {
        guard lastEarlierID > 0, !pairs.isEmpty else { return 0 }
        let columns = "event, ts, attributed, version_flag, user_cohort, user_id, status, latency_ms, value, props"
        let earlierExists = try db.makeStatement(
            sql: "SELECT 1 FROM events WHERE change_id = ? AND day = ? AND id <= ? AND event_id IS NULL LIMIT 1")
        let rowsOfPair = try db.makeStatement(
            sql: "SELECT id, \(columns) FROM events WHERE change_id = ? AND day = ? AND event_id IS NULL ORDER BY id")
        let delete = try db.makeStatement(sql: "DELETE FROM events WHERE id = ?")
        var removed = 0
        for pair in pairs.sorted(by: { ($0.change, $0.day) < ($1.change, $1.day) }) {
            let change = pair.change, day = Int64(pair.day)
            guard try Row.fetchOne(earlierExists, arguments: [change, day, lastEarlierID]) != nil else { continue }
            var earlierCount: [[DatabaseValue]: Int] = [:]
            var batchIDs: [[DatabaseValue]: [Int64]] = [:]
            for row in try Row.fetchAll(rowsOfPair, arguments: [change, day]) {
                let id: Int64 = row[0]
                let content = (1..<row.count).map { row[$0] as DatabaseValue }
                if id <= lastEarlierID {
                    earlierCount[content, default: 0] += 1
                } else {
                    batchIDs[content, default: []].append(id)
                }
            }
            for (content, ids) in batchIDs {
                let k = earlierCount[content] ?? 0
                // Keep the first m − k copies of the batch; remove the rest.
                for id in ids.suffix(min(k, ids.count)) {
                    try delete.execute(arguments: [id])
                    removed += 1
                }
            }
        }
        return removed
    }
}
