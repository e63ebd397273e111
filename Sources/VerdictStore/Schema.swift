import GRDB

/// The store's schema, as migrations keyed by SQLite's `user_version`.
///
/// Migration N brings a database from version N-1 to N. Each runs in the transaction that also
/// sets the new `user_version`, so a store is always at one whole version.
enum Schema {
    static let migrations: [String] = [
        // 1: events, batches, quarantine.
        """
        CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            sha256 TEXT UNIQUE,
            rows_read INTEGER NOT NULL DEFAULT 0,
            stored INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            quarantined INTEGER NOT NULL DEFAULT 0,
            ingested_at INTEGER NOT NULL
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            event TEXT NOT NULL,
            ts INTEGER NOT NULL,
            day INTEGER NOT NULL,
            change_id TEXT NOT NULL,
            attributed INTEGER NOT NULL,
            version_flag TEXT,
            user_cohort TEXT,
            user_id TEXT,
            status TEXT,
            latency_ms REAL,
            value REAL,
            event_id TEXT,
            props TEXT,
            hash TEXT NOT NULL
        );
        CREATE INDEX events_by_change ON events(change_id, event, day);
        CREATE INDEX events_by_event ON events(event, day);
        CREATE INDEX events_by_event_id ON events(event_id) WHERE event_id IS NOT NULL;
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            source TEXT NOT NULL,
            line INTEGER NOT NULL,
            reason TEXT NOT NULL,
            raw TEXT NOT NULL
        );
        CREATE INDEX quarantine_by_batch ON quarantine(batch_id, line);
        """,
        // 2: the per-change index carries every column a built-in KPI reads, in the order reports
        // group them, so a report reads one contiguous stretch of the index and never the table.
        """
        DROP INDEX IF EXISTS events_by_change;
        CREATE INDEX events_by_change ON events(change_id, day, event, version_flag, user_cohort, status, user_id,
            value, latency_ms);
        """,
        // 3: the per-event index goes: a query of every change over some days reads the per-change
        // index once per change (see EventFilter.conditions). Stored event_ids are unique, and now
        // the index says so, so a bulk batch learns it has no repeats from building the index.
        """
        DROP INDEX IF EXISTS events_by_event;
        DROP INDEX IF EXISTS events_by_event_id;
        CREATE UNIQUE INDEX events_by_event_id ON events(event_id) WHERE event_id IS NOT NULL;
        """,
        // 4: batches can be removed or replaced: kept as history, their events deleted; a removed
        // batch's SHA-256 moves to removed_sha256, so the same file can be ingested again (sha256
        // stays unique among batches in force). A batch counts the rows it skipped as identical to
        // stored ones, and keeps a CSV source's header line for quarantine exports. A quarantined
        // row records the batch that stored it fixed. event_names holds every event name ever
        // stored, so checks of a script's names need not scan the events.
        """
        ALTER TABLE batches ADD COLUMN identical INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE batches ADD COLUMN header TEXT;
        ALTER TABLE batches ADD COLUMN removed_at INTEGER;
        ALTER TABLE batches ADD COLUMN removed_sha256 TEXT;
        ALTER TABLE batches ADD COLUMN replaced_by INTEGER;
        CREATE INDEX batches_by_source ON batches(source);
        ALTER TABLE quarantine ADD COLUMN resolved_by INTEGER;
        CREATE TABLE event_names (name TEXT PRIMARY KEY, first_batch INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO event_names (name, first_batch) SELECT event, MIN(batch_id) FROM events GROUP BY event;
        """,
        // 5: the audit trail, one hash chain for the workspace (docs/audit.md). A batch keeps the
        // digest of the rows it stored, which verification recomputes from the events.
        """
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            change_id TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            details TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_by_change ON audit(change_id, seq);
        ALTER TABLE batches ADD COLUMN digest TEXT;
        """,
        // 6: started experiments with their sealed copy, their flags, every flag change, and the
        // owner's decisions.
        """
        CREATE TABLE experiments (
            change_id TEXT PRIMARY KEY,
            script_path TEXT NOT NULL,
            sealed TEXT NOT NULL,
            seal TEXT NOT NULL,
            cohorts TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            start_day INTEGER NOT NULL,
            end_day INTEGER NOT NULL,
            state TEXT NOT NULL
        );
        CREATE TABLE flags (
            key TEXT PRIMARY KEY,
            change_id TEXT NOT NULL REFERENCES experiments(change_id),
            spec TEXT NOT NULL,
            state TEXT NOT NULL,
            share REAL NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE flag_changes (
            id INTEGER PRIMARY KEY,
            flag TEXT NOT NULL REFERENCES flags(key),
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            state TEXT NOT NULL,
            share REAL NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX flag_changes_by_flag ON flag_changes(flag, id);
        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            change_id TEXT NOT NULL REFERENCES experiments(change_id),
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            decision TEXT NOT NULL,
            note TEXT NOT NULL,
            early INTEGER NOT NULL
        );
        """,
        // 7: recorded verdicts, each with the window it covers, the seal it was evaluated under,
        // the digest of the events it used and its figures.
        """
        CREATE TABLE verdicts (
            id INTEGER PRIMARY KEY,
            change_id TEXT NOT NULL REFERENCES experiments(change_id),
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            start_day INTEGER NOT NULL,
            end_day INTEGER NOT NULL,
            seal TEXT NOT NULL,
            outcome TEXT NOT NULL,
            recommendation TEXT,
            events INTEGER NOT NULL,
            digest TEXT NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX verdicts_by_change ON verdicts(change_id, id);
        """,
        // 8: the scheduled runs (daily, run-all), one per kind and local date: when each started
        // and finished, and what it did.
        """
        CREATE TABLE runs (
            kind TEXT NOT NULL,
            day INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            actor TEXT NOT NULL,
            summary TEXT,
            PRIMARY KEY (kind, day)
        );
        """,
        // 9: each safety check done, once per experiment and check hour, with what it found and did.
        """
        CREATE TABLE safety_checks (
            change_id TEXT NOT NULL REFERENCES experiments(change_id),
            hour INTEGER NOT NULL,
            day INTEGER NOT NULL,
            checked_at INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            action TEXT NOT NULL,
            details TEXT NOT NULL,
            PRIMARY KEY (change_id, hour)
        );
        """,
        // 10: the server's access tokens: each by its name, with the SHA-256 of its secret (the
        // secret itself is shown once, never stored), its scopes, and when it was revoked.
        """
        CREATE TABLE tokens (
            name TEXT PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            scopes TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        """,
        // 11: webhook deliveries, stored raw before anything reads them: the body as sent, its
        // SHA-256 (the same delivery twice is one row), and what became of it.
        """
        CREATE TABLE hook_deliveries (
            id INTEGER PRIMARY KEY,
            provider TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            body BLOB NOT NULL,
            status TEXT NOT NULL DEFAULT 'received',
            topic TEXT,
            batch_id INTEGER,
            reason TEXT,
            UNIQUE (provider, sha256)
        );
        CREATE INDEX hook_deliveries_pending ON hook_deliveries(status) WHERE status = 'received';
        """,
        // 12: the customer lists handed out for changes people carry out (`verdict assign`,
        // `verdict today`): each list with its digest and counts, and each customer's variant, so
        // events of listed customers that carry no flag are attributed by the list. And each
        // flag change names the change it was made for: a flag can serve a new change that
        // follows a rolled-back one (`follows`), and its earlier changes stay the earlier one's.
        """
        ALTER TABLE flag_changes ADD COLUMN change_id TEXT;
        UPDATE flag_changes SET change_id = (SELECT change_id FROM flags WHERE key = flag_changes.flag);
        CREATE TABLE assignment_lists (
            id INTEGER PRIMARY KEY,
            change_id TEXT NOT NULL,
            day INTEGER NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            source TEXT NOT NULL,
            digest TEXT NOT NULL,
            control INTEGER NOT NULL,
            treatment INTEGER NOT NULL
        );
        CREATE TABLE assignments (
            list_id INTEGER NOT NULL REFERENCES assignment_lists(id),
            change_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            variant TEXT NOT NULL,
            day INTEGER NOT NULL
        );
        CREATE INDEX assignments_by_customer ON assignments(change_id, user_id, day);
        """,
    ]

    /// The per-change index as the latest migration defines it, for a bulk batch to build again:
    /// a window of one change is one range of it, already grouped by day, event, flag, cohort and
    /// status, with the customer and the measures at hand. (Migrations keep their own frozen copy.)
    static let changeIndex = """
        CREATE INDEX events_by_change ON events(change_id, day, event, version_flag, user_cohort, status, user_id,
            value, latency_ms)
        """

    /// An event_id is stored once (DESIGN.md §4): a second event with a stored event_id is a
    /// duplicate. As the latest migration defines it, for a bulk batch to build again.
    static let eventIDIndex = "CREATE UNIQUE INDEX events_by_event_id ON events(event_id) WHERE event_id IS NOT NULL"

    /// The indexes of the events table. A large batch drops them and builds them again after its
    /// rows are in, inside its transaction: one sort is much cheaper than a million scattered
    /// B-tree insertions. Building the unique event_id index is how such a batch finds out that
    /// none of its event_ids is already stored; only when that fails does it look for repeats.
    static let eventIndexNames = ["events_by_event_id", "events_by_change"]

    /// Brings the database to the latest version.
    static func migrate(_ db: Database) throws {
        let current = try version(db)
        for version in current..<migrations.count {
            try db.execute(sql: migrations[version])
            try db.execute(sql: "PRAGMA user_version = \(version + 1)")
        }
    }

    /// The database's version, refusing one written by a newer Verdict.
    static func version(_ db: Database) throws -> Int {
        let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard current <= migrations.count else {
            throw StoreError.newerSchema(found: current, supported: migrations.count)
        }
        return current
    }
}
