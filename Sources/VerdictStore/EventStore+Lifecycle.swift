import GRDB

/// A started change as far as stamping events needs it (see `BatchWriter.startedChanges()`).
public struct StartedChangeRow: Sendable, Equatable {
    public var changeID: String
    /// JSON array of cohorts; empty for everyone.
    public var cohorts: String
    /// Epoch milliseconds.
    public var startedAt: Int64
    /// The window's last local day.
    public var endDay: Int32
    /// Its flags' changes, oldest first.
    public var flagChanges: [FlagChange]

    /// One change of one of its flags.
    public struct FlagChange: Sendable, Equatable {
        public var at: Int64
        public var state: String
    }
}

/// A started experiment as stored: its sealed copy and where it stands.
public struct ExperimentRow: Sendable, Equatable {
    public var changeID: String
    /// The script's path in the workspace when it was started.
    public var scriptPath: String
    /// The sealed copy (JSON: declaration, script and plugin texts), as Core wrote it.
    public var sealed: String
    public var seal: String
    /// JSON array of cohorts; empty for everyone.
    public var cohorts: String
    /// Epoch milliseconds.
    public var startedAt: Int64
    /// The window's first and last local days (days since 1970-01-01).
    public var startDay: Int32
    public var endDay: Int32
    public var state: String

    public init(
        changeID: String, scriptPath: String, sealed: String, seal: String, cohorts: String, startedAt: Int64, startDay: Int32,
        endDay: Int32, state: String
    ) {
        self.changeID = changeID
        self.scriptPath = scriptPath
        self.sealed = sealed
        self.seal = seal
        self.cohorts = cohorts
        self.startedAt = startedAt
        self.startDay = startDay
        self.endDay = endDay
        self.state = state
    }

    init(_ row: Row) {
        self.init(
            changeID: row["change_id"], scriptPath: row["script_path"], sealed: row["sealed"], seal: row["seal"],
            cohorts: row["cohorts"], startedAt: row["started_at"], startDay: Int32(row["start_day"] as Int64),
            endDay: Int32(row["end_day"] as Int64), state: row["state"])
    }
}

/// A flag as stored: what it serves now.
public struct FlagRow: Sendable, Equatable {
    public var key: String
    public var changeID: String
    /// JSON: variants, cohorts, design, schedule (Core's `FlagSpec`).
    public var spec: String
    public var state: String
    public var share: Double
    /// Epoch milliseconds.
    public var updatedAt: Int64

    public init(key: String, changeID: String, spec: String, state: String, share: Double, updatedAt: Int64) {
        self.key = key
        self.changeID = changeID
        self.spec = spec
        self.state = state
        self.share = share
        self.updatedAt = updatedAt
    }

    init(_ row: Row) {
        self.init(
            key: row["key"], changeID: row["change_id"], spec: row["spec"], state: row["state"], share: row["share"],
            updatedAt: row["updated_at"])
    }
}

/// One change of a flag.
public struct FlagChangeRow: Sendable, Equatable {
    public var flag: String
    public var at: Int64
    public var actor: String
    public var state: String
    public var share: Double
    public var reason: String

    public init(flag: String, at: Int64, actor: String, state: String, share: Double, reason: String) {
        self.flag = flag
        self.at = at
        self.actor = actor
        self.state = state
        self.share = share
        self.reason = reason
    }
}

/// A recorded verdict: what an evaluation of a finished window found, under which seal, from
/// which events.
public struct VerdictRow: Sendable, Equatable {
    public var changeID: String
    /// Epoch milliseconds.
    public var at: Int64
    public var actor: String
    /// The window's first and last local days.
    public var startDay: Int32
    public var endDay: Int32
    public var seal: String
    /// pass, fail or inconclusive.
    public var outcome: String
    public var recommendation: String?
    /// How many events the evaluation used, and their digest (see `windowDigest`).
    public var events: Int
    public var digest: String
    /// The report's JSON (Core's `ReportDocument`).
    public var document: String

    public init(
        changeID: String, at: Int64, actor: String, startDay: Int32, endDay: Int32, seal: String, outcome: String,
        recommendation: String?, events: Int, digest: String, document: String
    ) {
        self.changeID = changeID
        self.at = at
        self.actor = actor
        self.startDay = startDay
        self.endDay = endDay
        self.seal = seal
        self.outcome = outcome
        self.recommendation = recommendation
        self.events = events
        self.digest = digest
        self.document = document
    }

    init(_ row: Row) {
        self.init(
            changeID: row["change_id"], at: row["at"], actor: row["actor"], startDay: Int32(row["start_day"] as Int64),
            endDay: Int32(row["end_day"] as Int64), seal: row["seal"], outcome: row["outcome"], recommendation: row["recommendation"],
            events: row["events"], digest: row["digest"], document: row["document"])
    }
}

/// Why the store refused a lifecycle write: the caller's check failed inside the transaction.
public struct LifecycleRefusal: Error, Sendable {
    public var underlying: any Error & Sendable

    public init(underlying: any Error & Sendable) {
        self.underlying = underlying
    }
}

extension EventStore {
    /// Starts an experiment in one transaction: `check` sees every stored experiment (under the
    /// write lock, so of two racing starts the second sees the first) and throws to refuse; then
    /// the experiment, its flag, the flag's first change and the audit records (made once `check`
    /// has passed) are written.
    ///
    /// Stored events that named no change and fall in the experiment's span (its start through
    /// its window's last day, in `cohorts` unless empty) are stamped with it, as later ingests
    /// would stamp them; `audit` is told how many.
    public func start(
        _ experiment: ExperimentRow, cohorts: [String], flag: FlagRow, change: FlagChangeRow, check: ([ExperimentRow]) throws -> Void,
        audit: (_ stamped: Int) -> [AuditRecordMaker]
    ) throws {
        try refusableWrite { db in
            let stored = try Row.fetchAll(db, sql: "SELECT * FROM experiments ORDER BY started_at").map(ExperimentRow.init)
            try check(stored)
            try db.execute(
                sql: """
                    INSERT INTO experiments (change_id, script_path, sealed, seal, cohorts, started_at, start_day, end_day, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    experiment.changeID, experiment.scriptPath, experiment.sealed, experiment.seal, experiment.cohorts,
                    experiment.startedAt, experiment.startDay, experiment.endDay, experiment.state,
                ])
            try db.execute(
                // A flag of a rolled-back change that this one follows (Core's check allowed it) now
                // serves this one; its earlier changes keep naming the earlier change.
                sql: """
                    INSERT INTO flags (key, change_id, spec, state, share, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET change_id = excluded.change_id, spec = excluded.spec, state = excluded.state,
                        share = excluded.share, updated_at = excluded.updated_at
                    """,
                arguments: [flag.key, flag.changeID, flag.spec, flag.state, flag.share, flag.updatedAt])
            try Self.insert(change, db)
            var sql = """
                UPDATE events SET change_id = ?, attributed = \(ChangeSource.timeline.rawValue)
                WHERE change_id = 'none' AND day BETWEEN ? AND ? AND ts >= ? AND attributed = \(ChangeSource.none.rawValue)
                """
            var arguments: StatementArguments = [experiment.changeID, experiment.startDay, experiment.endDay, experiment.startedAt]
            if !cohorts.isEmpty {
                sql += " AND user_cohort IN (\(cohorts.map { _ in "?" }.joined(separator: ",")))"
                arguments += StatementArguments(cohorts)
            }
            try db.execute(sql: sql, arguments: arguments)
            let stamped = db.changesCount
            for make in audit(stamped) { _ = try Self.appendAudit(db, make) }
        }
    }

    /// Changes a flag in one transaction with its record on the audit trail, made from the flag
    /// as it was. Returns the flag as it is now. `experimentState`, when given, becomes the flag's
    /// experiment's state in the same transaction; `check` sees that experiment as stored first
    /// and throws to refuse.
    public func changeFlag(
        _ key: String, to change: FlagChangeRow, experimentState: String?, check: (ExperimentRow) throws -> Void = { _ in },
        audit: (FlagRow) -> AuditRecordMaker
    ) throws -> FlagRow {
        try refusableWrite { db in
            var change = change
            change.flag = key
            if let row = try Row.fetchOne(
                db, sql: "SELECT e.* FROM experiments e JOIN flags f ON f.change_id = e.change_id WHERE f.key = ?", arguments: [key])
            {
                try check(ExperimentRow(row))
            }
            let before = try Self.apply(change, db)
            if let experimentState {
                try db.execute(
                    sql: "UPDATE experiments SET state = ? WHERE change_id = ?", arguments: [experimentState, before.changeID])
            }
            _ = try Self.appendAudit(db, audit(before))
            return FlagRow(try Row.fetchOne(db, sql: "SELECT * FROM flags WHERE key = ?", arguments: [key])!)
        }
    }

    /// Records the owner's decision in one transaction: the experiment's new state and window
    /// end, the flag's change (if any), the decision and its audit record. `check` sees the
    /// experiment as stored and throws to refuse.
    public func decide(
        _ changeID: String, decision: String, note: String, early: Bool, at time: Int64, actor: String, state: String,
        endDay: Int32?, flagChange: FlagChangeRow?, check: (ExperimentRow) throws -> Void, audit: (ExperimentRow) -> AuditRecordMaker
    ) throws {
        try refusableWrite { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE change_id = ?", arguments: [changeID]) else {
                throw StoreError.notFound("\(changeID) has not been started")
            }
            let before = ExperimentRow(row)
            try check(before)
            try db.execute(
                sql: "UPDATE experiments SET state = ?, end_day = ? WHERE change_id = ?",
                arguments: [state, endDay ?? before.endDay, changeID])
            if let flagChange { _ = try Self.apply(flagChange, db) }
            try db.execute(
                sql: "INSERT INTO decisions (change_id, at, actor, decision, note, early) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [changeID, time, actor, decision, note, early])
            _ = try Self.appendAudit(db, audit(before))
        }
    }

    /// Which events the store holds, as cheaply as it can tell: every change to stored events
    /// goes through a batch (ingested, or removed), a start or a customer list (which stamp
    /// events), so this changes whenever they do.
    public struct EventsVersion: Sendable, Equatable {
        var lastBatch: Int64
        var removedBatches: Int64
        var experiments: Int64
        var lists: Int64
    }

    /// The events' version now (see `EventsVersion`).
    public func eventsVersion() throws(StoreError) -> EventsVersion {
        try read { db in try Self.eventsVersion(db) }
    }

    static func eventsVersion(_ db: Database) throws -> EventsVersion {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT (SELECT COALESCE(MAX(id), 0) FROM batches), (SELECT COUNT(*) FROM batches WHERE removed_at IS NOT NULL),
                       (SELECT COUNT(*) FROM experiments), (SELECT COALESCE(MAX(id), 0) FROM assignment_lists)
                """)!
        return EventsVersion(lastBatch: row[0], removedBatches: row[1], experiments: row[2], lists: row[3])
    }

    /// Records a verdict in one transaction with its audit record; the experiment's state becomes
    /// `state` (Core's transition table says which). `check` sees the experiment as stored and
    /// throws to refuse. The stored
    /// events must still be those the caller evaluated and digested (`version`, read before):
    /// if an ingest, a batch removal or a start came in between, the verdict is refused with
    /// `StoreError.conflict`, to be evaluated again.
    public func recordVerdict(
        _ verdict: VerdictRow, eventsVersion version: EventsVersion, state: String, check: (ExperimentRow) throws -> Void,
        audit: (ExperimentRow) -> AuditRecordMaker
    ) throws {
        try refusableWrite { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE change_id = ?", arguments: [verdict.changeID]) else {
                throw StoreError.notFound("\(verdict.changeID) has not been started")
            }
            let before = ExperimentRow(row)
            try check(before)
            guard try Self.eventsVersion(db) == version else {
                throw StoreError.conflict("events for \(verdict.changeID) arrived while it was evaluated; evaluate it again")
            }
            try db.execute(
                sql: """
                    INSERT INTO verdicts (change_id, at, actor, start_day, end_day, seal, outcome, recommendation, events, digest, document)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    verdict.changeID, verdict.at, verdict.actor, verdict.startDay, verdict.endDay, verdict.seal, verdict.outcome,
                    verdict.recommendation, verdict.events, verdict.digest, verdict.document,
                ])
            try db.execute(sql: "UPDATE experiments SET state = ? WHERE change_id = ?", arguments: [state, verdict.changeID])
            _ = try Self.appendAudit(db, audit(before))
        }
    }

    /// Recorded verdicts, oldest first; only `changeID`'s when given.
    public func verdicts(changeID: String? = nil) throws(StoreError) -> [VerdictRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM verdicts WHERE ? IS NULL OR change_id = ? ORDER BY id", arguments: [changeID, changeID]
            ).map(VerdictRow.init)
        }
    }

    /// A write transaction: a caller's refusal (`LifecycleRefusal`) passes through as it is,
    /// anything else as a `StoreError`.
    private func refusableWrite<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try exclusiveWrite(body)
        } catch let refusal as LifecycleRefusal {
            throw refusal
        } catch {
            throw wrap(error)
        }
    }

    /// Sets a flag to `change` and adds `change` to its history; returns the flag as it was.
    private static func apply(_ change: FlagChangeRow, _ db: Database) throws -> FlagRow {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM flags WHERE key = ?", arguments: [change.flag]) else {
            throw StoreError.notFound("there is no flag \(change.flag)")
        }
        try db.execute(
            sql: "UPDATE flags SET state = ?, share = ?, updated_at = ? WHERE key = ?",
            arguments: [change.state, change.share, change.at, change.flag])
        try insert(change, db)
        return FlagRow(row)
    }

    private static func insert(_ change: FlagChangeRow, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO flag_changes (flag, change_id, at, actor, state, share, reason)
                VALUES (?, (SELECT change_id FROM flags WHERE key = ?), ?, ?, ?, ?, ?)
                """,
            arguments: [change.flag, change.flag, change.at, change.actor, change.state, change.share, change.reason])
    }

    /// Every started experiment, oldest first.
    public func experiments() throws(StoreError) -> [ExperimentRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM experiments ORDER BY started_at, change_id").map(ExperimentRow.init) }
    }

    /// What tells which change was live when, for events that name none: each started change's
    /// span and its flags' changes (no sealed copies, so it is cheap to read for every batch).
    /// Every started change with its flag's changes, for the timeline that stamps events.
    public func startedChanges() throws(StoreError) -> [StartedChangeRow] {
        try read { db in try Self.startedChanges(db) }
    }

    static func startedChanges(_ db: Database) throws -> [StartedChangeRow] {
        var rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT change_id, cohorts, started_at, end_day FROM experiments ORDER BY started_at, change_id")
        ).map { row in
            StartedChangeRow(changeID: row[0], cohorts: row[1], startedAt: row[2], endDay: Int32(row[3] as Int64), flagChanges: [])
        }
        let index = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($0.element.changeID, $0.offset) })
        let changes = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT change_id, at, state FROM flag_changes ORDER BY id"))
        for change in changes {
            guard let changeID = change[0] as String?, let at = index[changeID] else { continue }
            rows[at].flagChanges.append(StartedChangeRow.FlagChange(at: change[1], state: change[2]))
        }
        return rows
    }

    /// Every flag, by key.
    public func flags() throws(StoreError) -> [FlagRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM flags ORDER BY key").map(FlagRow.init) }
    }

    /// A flag's changes, oldest first.
    public func flagChanges(_ key: String) throws(StoreError) -> [FlagChangeRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM flag_changes WHERE flag = ? ORDER BY id", arguments: [key]).map { row in
                FlagChangeRow(flag: row["flag"], at: row["at"], actor: row["actor"], state: row["state"], share: row["share"], reason: row["reason"])
            }
        }
    }
}

/// A scheduled run (`daily`, `run-all`) for one local date.
public struct RunRow: Sendable, Equatable {
    public var kind: String
    public var day: Int32
    /// Epoch milliseconds; `finishedAt` nil while it runs, or when it was killed.
    public var startedAt: Int64
    public var finishedAt: Int64?
    public var actor: String
    /// What it did, as Core wrote it (JSON).
    public var summary: String?

    public init(kind: String, day: Int32, startedAt: Int64, finishedAt: Int64?, actor: String, summary: String?) {
        self.kind = kind
        self.day = day
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.actor = actor
        self.summary = summary
    }
}

extension EventStore {
    /// The run of `kind` for local day `day`, if one was started.
    public func run(_ kind: String, day: Int32) throws(StoreError) -> RunRow? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE kind = ? AND day = ?", arguments: [kind, day]).map { row in
                RunRow(
                    kind: row["kind"], day: Int32(row["day"] as Int64), startedAt: row["started_at"], finishedAt: row["finished_at"],
                    actor: row["actor"], summary: row["summary"])
            }
        }
    }

    /// Marks the run of `kind` for `day` started (again, after a killed one: the earlier summary
    /// is kept until it finishes).
    public func startRun(_ kind: String, day: Int32, at time: Int64, actor: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (kind, day, started_at, actor) VALUES (?, ?, ?, ?)
                    ON CONFLICT (kind, day) DO UPDATE SET started_at = excluded.started_at, actor = excluded.actor
                    """,
                arguments: [kind, day, time, actor])
        }
    }

    /// Marks the run of `kind` for `day` finished, with its summary.
    public func finishRun(_ kind: String, day: Int32, at time: Int64, summary: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE runs SET finished_at = ?, summary = ? WHERE kind = ? AND day = ?", arguments: [time, summary, kind, day])
        }
    }
}

/// A safety check done: once per experiment and check hour.
public struct SafetyCheckRow: Sendable, Equatable {
    public var changeID: String
    /// Hours after the start.
    public var hour: Int
    /// The check's local date.
    public var day: Int32
    /// Epoch milliseconds.
    public var checkedAt: Int64
    /// ok, breach, or overtaken (it waited for events until a later check fell due).
    public var outcome: String
    /// none, throttle or rollback.
    public var action: String
    /// What it found, as Core wrote it (JSON).
    public var details: String

    public init(changeID: String, hour: Int, day: Int32, checkedAt: Int64, outcome: String, action: String, details: String) {
        self.changeID = changeID
        self.hour = hour
        self.day = day
        self.checkedAt = checkedAt
        self.outcome = outcome
        self.action = action
        self.details = details
    }
}

extension EventStore {
    /// The safety checks done, oldest first; only `changeID`'s when given.
    public func safetyChecks(changeID: String? = nil) throws(StoreError) -> [SafetyCheckRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM safety_checks WHERE ? IS NULL OR change_id = ? ORDER BY checked_at, change_id, hour",
                arguments: [changeID, changeID]
            ).map { row in
                SafetyCheckRow(
                    changeID: row["change_id"], hour: row["hour"], day: Int32(row["day"] as Int64), checkedAt: row["checked_at"],
                    outcome: row["outcome"], action: row["action"], details: row["details"])
            }
        }
    }

    /// Records a safety check in one transaction with what it does: the flag's change and the
    /// experiment's new state (a breach's action), and the audit records, made from the flag as
    /// it was. Returns false, writing nothing, when this check was recorded already (a second
    /// run for the same date, or one racing this). When it changes the experiment's state,
    /// `refuse` sees the experiment as stored first and throws to refuse.
    public func recordSafetyCheck(
        _ check: SafetyCheckRow, flagChange: FlagChangeRow?, experimentState: String?,
        check refuse: (ExperimentRow) throws -> Void = { _ in }, audit: (FlagRow?) -> [AuditRecordMaker]
    ) throws -> Bool {
        try refusableWrite { db in
            if experimentState != nil,
                let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE change_id = ?", arguments: [check.changeID])
            {
                try refuse(ExperimentRow(row))
            }
            let done = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM safety_checks WHERE change_id = ? AND hour = ?", arguments: [check.changeID, check.hour]) ?? false
            if done { return false }
            try db.execute(
                sql: """
                    INSERT INTO safety_checks (change_id, hour, day, checked_at, outcome, action, details)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [check.changeID, check.hour, check.day, check.checkedAt, check.outcome, check.action, check.details])
            let before = try flagChange.map { try Self.apply($0, db) }
            if let experimentState {
                try db.execute(sql: "UPDATE experiments SET state = ? WHERE change_id = ?", arguments: [experimentState, check.changeID])
            }
            for make in audit(before) { _ = try Self.appendAudit(db, make) }
            return true
        }
    }
}

/// A decision as stored.
public struct DecisionRow: Sendable, Equatable {
    public var changeID: String
    /// Epoch milliseconds.
    public var at: Int64
    public var actor: String
    public var decision: String
    public var note: String
    public var early: Bool
}

extension EventStore {
    /// The decisions recorded, oldest first; only `changeID`'s when given.
    public func decisions(changeID: String? = nil) throws(StoreError) -> [DecisionRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM decisions WHERE ? IS NULL OR change_id = ? ORDER BY id", arguments: [changeID, changeID]
            ).map { row in
                DecisionRow(
                    changeID: row["change_id"], at: row["at"], actor: row["actor"], decision: row["decision"], note: row["note"],
                    early: row["early"])
            }
        }
    }

    /// Changes an experiment's state alone (a move the clock makes, such as a watch ending), with
    /// its audit record, in one transaction; `check` sees the experiment as stored and throws to
    /// refuse.
    public func setState(
        _ changeID: String, to state: String, check: (ExperimentRow) throws -> Void, audit: (ExperimentRow) -> AuditRecordMaker
    ) throws {
        try refusableWrite { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM experiments WHERE change_id = ?", arguments: [changeID]) else {
                throw StoreError.notFound("\(changeID) has not been started")
            }
            let before = ExperimentRow(row)
            try check(before)
            try db.execute(sql: "UPDATE experiments SET state = ? WHERE change_id = ?", arguments: [state, changeID])
            _ = try Self.appendAudit(db, audit(before))
        }
    }
}
