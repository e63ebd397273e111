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
    /// The disk was full when the store was opened, so it was opened to read only (see `init`):
    /// every write is refused as `StoreError.diskFull`.
    public let readOnlyBecauseDiskIsFull: Bool
    /// One writer at a time across processes, and a word for the one that waits (`WriterLock`).
    let writerLock: WriterLock

    /// How long a writer waits for another process's write before giving up, unless told.
    public static let defaultWriteWait: TimeInterval = 600

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
    /// `writeWait` bounds how long a write waits for another process's (`StoreError.busy` after
    /// it); `waiting` is told, once each time, that a write waits and for whom. `writer` is how
    /// this process names itself to a writer that waits for it (`verdict ingest jobs.csv`).
    public init(
        path: String, durable: Bool = false, upgrading: (@Sendable (_ from: Int, _ to: Int) -> Void)? = nil,
        writeWait: TimeInterval = defaultWriteWait, writer: String = "verdict", waiting: (@Sendable (StoreWriter?) -> Void)? = nil
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
            readOnlyBecauseDiskIsFull = false
            writerLock = WriterLock(storePath: path, name: writer, patience: writeWait, waiting: waiting)
        } catch let error as StoreError {
            throw error
        } catch {
            // A reader of a WAL store needs its -shm file, which SQLite creates when it is missing:
            // on a full disk that fails, and nothing could be read. When the disk is full and the
            // WAL holds nothing (every commit is in the main file), the file cannot change under
            // us, so it is opened as immutable: reads work, writes are refused as "the disk is full".
            guard DiskSpace.isFull(error, at: path) else {
                throw StoreError.cannotOpen(path: path, reason: Self.describe(error))
            }
            guard let readOnly = Self.openImmutable(path: path, configuration: configuration) else {
                throw StoreError.diskFull(path: path, action: "open the store")
            }
            pool = readOnly
            readOnlyBecauseDiskIsFull = true
            writerLock = WriterLock(storePath: path, name: writer, patience: writeWait, waiting: waiting)
        }
    }

    /// The store opened read-only from its main file alone, or nil when that cannot be done
    /// safely: its WAL holds commits not yet in the main file, or its schema is not current.
    static func openImmutable(path: String, configuration: Configuration) -> DatabasePool? {
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
        guard wal == 0 else { return nil }
        var configuration = configuration
        configuration.readonly = true
        let escaped = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
            .replacingOccurrences(of: "#", with: "%23")
        guard let pool = try? DatabasePool(path: "file:\(escaped)?immutable=1", configuration: configuration),
            (try? pool.read({ db in try Schema.version(db) })) == Schema.migrations.count
        else { return nil }
        return pool
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
            throw wrap(error, reading: true)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try exclusiveWrite(body)
        } catch {
            throw wrap(error)
        }
    }

    /// A write transaction, with the writer lock held: every write of the store goes through here
    /// (`write`, or this where the caller sorts its own errors).
    func exclusiveWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try writerLock.holding { try pool.write(body) }
    }

    /// A store error for what SQLite or a body threw: a full disk says so, naming the store.
    func wrap(_ error: any Error, reading: Bool = false) -> StoreError {
        if let error = error as? StoreError { return error }
        if (readOnlyBecauseDiskIsFull && !reading) || DiskSpace.isFull(error, at: path) {
            return .diskFull(path: path, action: reading ? "read the store" : "write to the store")
        }
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
