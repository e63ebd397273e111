import Foundation
import GRDB

/// What a store holds, in counts: what `verdict backup` and `verdict restore` report.
public struct StoreContents: Sendable, Equatable {
    public var events: Int
    public var batches: Int
    public var auditRecords: Int
    /// The last audit record.
    public var auditHead: AuditRow?
    public var schemaVersion: Int
}

extension EventStore {
    /// Copies the store, as one consistent snapshot, into a new single-file SQLite database at
    /// `destination` with SQLite's online backup: other processes go on reading and writing
    /// while it runs (the server included). The copy is made under a temporary name beside
    /// `destination`, checked (`PRAGMA quick_check`), then renamed, so a file at `destination` is
    /// always a whole backup; one that was there is replaced.
    public func backup(to destination: String) throws(StoreError) -> StoreContents {
        let partial = destination + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            defer { try? FileManager.default.removeItem(atPath: partial) }
            let contents: StoreContents
            do {
                let copy = try DatabaseQueue(path: partial)
                try pool.backup(to: copy)
                // One file, with no -wal beside it to lose: a backup travels alone.
                try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
                contents = try copy.read { db in try Self.checkedContents(db, file: destination) }
                try copy.close()
            }
            if rename(partial, destination) != 0 {
                throw StoreError.cannotOpen(path: destination, reason: String(cString: strerror(errno)))
            }
            return contents
        } catch let error as StoreError {
            throw error
        } catch {
            if DiskSpace.isFull(error, at: destination) { throw StoreError.diskFull(path: destination, action: "write the backup") }
            throw StoreError.cannotOpen(path: destination, reason: Self.describe(error))
        }
    }

    /// Copies the store file `source` (a backup) to a new file at `destination` with SQLite's
    /// backup, after checking it is a whole Verdict store this Verdict can read. The copy is a
    /// single file; open it as an `EventStore` to bring its schema up to date.
    public static func copyStore(from source: String, to destination: String) throws(StoreError) -> StoreContents {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let original: DatabaseQueue
            do {
                original = try DatabaseQueue(path: source, configuration: configuration)
                _ = try original.read { db in try checkedContents(db, file: source) }
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.cannotOpen(path: source, reason: "not a Verdict store (\(describe(error)))")
            }
            try? FileManager.default.removeItem(atPath: destination)
            let copy = try DatabaseQueue(path: destination)
            try original.backup(to: copy)
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            let contents = try copy.read { db in try checkedContents(db, file: source) }
            try copy.close()
            try original.close()
            return contents
        } catch let error as StoreError {
            throw error
        } catch {
            if DiskSpace.isFull(error, at: destination) { throw StoreError.diskFull(path: destination, action: "copy the backup to") }
            throw StoreError.cannotOpen(path: destination, reason: describe(error))
        }
    }

    /// Makes the store file at `path` a single file again (its WAL checkpointed into it and
    /// removed), so it can be renamed alone. No connection of this process may hold it open.
    public static func closeUp(_ path: String) throws(StoreError) {
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
            }
            try queue.close()
        } catch {
            throw StoreError.cannotOpen(path: path, reason: describe(error))
        }
    }

    /// What the store holds.
    public func contents() throws(StoreError) -> StoreContents {
        try read { db in try Self.checkedContents(db, file: path, check: false) }
    }

    /// Counts, after checking the file is a whole Verdict store of a schema this Verdict knows.
    static func checkedContents(_ db: Database, file: String, check: Bool = true) throws -> StoreContents {
        if check {
            let result = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard result == ["ok"] else {
                throw StoreError.cannotOpen(path: file, reason: "the file is damaged (\(result.prefix(3).joined(separator: "; ")))")
            }
        }
        let version = try Schema.version(db)
        guard version <= Schema.migrations.count else { throw StoreError.newerSchema(found: version, supported: Schema.migrations.count) }
        for table in ["events", "batches", "audit"] where try !db.tableExists(table) {
            throw StoreError.cannotOpen(path: file, reason: "not a Verdict store (it has no \(table) table)")
        }
        return StoreContents(
            events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0,
            batches: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM batches") ?? 0,
            auditRecords: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") ?? 0,
            auditHead: try Row.fetchOne(db, sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT 1").map(AuditRow.init),
            schemaVersion: version)
    }
}
