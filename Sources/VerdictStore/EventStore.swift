import Foundation
import GRDB

/// The workspace's SQLite store (`.verdict/verdict.sqlite`): events, ingest batches, quarantine.
///
/// WAL mode: readers never wait for a writer, and a second writer (another ingest) waits its
/// turn instead of failing, so no "database is locked" error reaches the user.
public final class EventStore: Sendable {
    let pool: DatabasePool
    /// The path of the store file.
    public let path: String

    /// How long a writer waits for another process's write transaction before giving up.
    public static let writerPatience: TimeInterval = 3600

    /// How long opening retries when SQLite answers "database is locked" without waiting.
    ///
    /// SQLite calls the busy handler for ordinary lock waits, but not when a connection that
    /// already reads asks to write while another connection writes. Opening meets that when
    /// several processes create the store at once: a new store is an empty file in rollback mode,
    /// and switching it to WAL reads the file, then writes its header. The other process is done
    /// within milliseconds; a store still locked after this long is reported.
    static let openPatience: TimeInterval = 60

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// `upgrading` is told the versions before an existing store is migrated, which rebuilds its
    /// indexes and can take a while on a large store; a new store is created without a word.
    ///
    /// Commits survive the process being killed. With `durable`, each commit also waits until
    /// the disk has it (`synchronous = FULL`), so it survives a power cut too: the server's
    /// events, whose 200 tells the sender it may forget them. Otherwise the last commits before a
    /// power cut may be lost (`NORMAL`), which a file ingested again puts back.
    public init(
        path: String, durable: Bool = false, upgrading: (@Sendable (_ from: Int, _ to: Int) -> Void)? = nil
    ) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.writerPatience)
        configuration.prepareDatabase { db in
            try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            // 4 MB per connection: index builds sort as fast as with more. The server's writer keeps more
            // of the indexes in memory: its many small batches each touch pages all over them.
            if durable && !db.configuration.readonly {
                // Fewer checkpoints: each copies the pages the last commits changed back into the file.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            } else {
                try db.execute(sql: "PRAGMA cache_size = -4096")
            }
            try db.execute(sql: "PRAGMA threads = 2")  // index builds sort on both cores
            if db.configuration.readonly {
                // Readers map the file instead of copying each page through read(2); the writer
                // does not, so an ingest's resident memory stays small.
                try db.execute(sql: "PRAGMA mmap_size = 4294967296")
            }
        }
        do {
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            pool = try Self.openPool(path: path, configuration: configuration, upgrading: upgrading)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.describe(error))
        }
    }

    /// Opens the pool and brings the schema up to date, retrying when SQLite reports a lock
    /// without calling the busy handler (see `openPatience`).
    ///
    /// The schema version is read first, so opening a current store takes no write lock: a report
    /// started during a long ingest does not wait for the ingest to commit.
    static func openPool(
        path: String, configuration: Configuration, upgrading: (@Sendable (Int, Int) -> Void)?
    ) throws -> DatabasePool {
        let deadline = Date(timeIntervalSinceNow: openPatience)
        var pause: TimeInterval = 0.002
        var announced = false
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                let version = try pool.read { db in try Schema.version(db) }
                if version < Schema.migrations.count {
                    if version > 0 && !announced {
                        upgrading?(version, Schema.migrations.count)
                        announced = true
                    }
                    try pool.write { db in try Schema.migrate(db) }
                }
                return pool
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 0.1)
            }
        }
    }

    /// The store's schema version (`PRAGMA user_version`).
    public func schemaVersion() throws(StoreError) -> Int {
        try read { db in try Schema.version(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.wrap(error)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.wrap(error)
        }
    }

    static func wrap(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            return .sqlite(message: error.message ?? "\(error.resultCode)", sql: error.sql)
        }
        return .sqlite(message: "\(error)", sql: nil)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}
