import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Another process's write to the store, as the process that waits for it is told.
public struct StoreWriter: Sendable, Equatable, CustomStringConvertible {
    /// Its command line, as `verdict ingest jobs.csv`.
    public var command: String
    public var pid: Int32
    /// When it began writing, epoch milliseconds.
    public var since: Int64

    /// `verdict ingest jobs.csv, pid 4242, since 2026-11-09T14:02:11Z`.
    public var description: String {
        let since = Date(timeIntervalSince1970: Double(since) / 1000).formatted(.iso8601)
        return "\(command), pid \(pid), since \(since)"
    }

    /// The note a writer leaves in the lock file: `pid<TAB>since<TAB>command`.
    var note: String { "\(pid)\t\(since)\t\(command)\n" }

    init?(note: String) {
        let parts = note.trimmingCharacters(in: .newlines).split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int32(parts[0]), let since = Int64(parts[1]) else { return nil }
        self.init(command: String(parts[2]), pid: pid, since: since)
    }

    init(command: String, pid: Int32, since: Int64) {
        self.command = command
        self.pid = pid
        self.since = since
    }

    /// This process, named `command`, writing from now.
    static func this(_ command: String) -> StoreWriter {
        StoreWriter(command: command, pid: getpid(), since: Int64(Date().timeIntervalSince1970 * 1000))
    }
}

/// One writer to the store at a time, across processes, with a word for the one that waits:
/// an exclusive `flock` on `verdict.sqlite-writer` beside the store, held for each write
/// transaction and released by the kernel however the process ends. The holder writes who it is
/// into the file; a writer that finds the lock taken reads that, says so once through `waiting`,
/// and gives up after `patience` with `StoreError.busy`.
///
/// SQLite's own lock stays the guarantee; this one is what lets a writer say what it waits for,
/// and stop waiting. Within a process the stores of one file share one `LockFile`, whose threads
/// take turns first (a `flock` is the open file's, not the thread's).
final class WriterLock: Sendable {
    private let file: LockFile
    let name: String
    let patience: TimeInterval
    let waiting: (@Sendable (StoreWriter?) -> Void)?

    init(storePath: String, name: String, patience: TimeInterval, waiting: (@Sendable (StoreWriter?) -> Void)?) {
        file = LockFile.shared(path: storePath + "-writer")
        self.name = name.count > 200 ? String(name.prefix(200)) + "…" : name
        self.patience = patience
        self.waiting = waiting
    }

    /// Runs `body` holding the lock.
    func holding<T>(_ body: () throws -> T) throws -> T {
        file.turn.lock()
        defer { file.turn.unlock() }
        let descriptor = file.descriptor
        // Without the file (a read-only folder, a full disk) writes go on under SQLite's lock alone.
        guard descriptor >= 0 else { return try body() }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { return try body() }
            let holder = file.holder()
            waiting?(holder)
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(patience * 1000)))
            var pause: UInt32 = 2_000
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else { return try body() }
                if ContinuousClock.now >= deadline { throw StoreError.busy(holder: file.holder() ?? holder, waited: patience) }
                usleep(pause)
                pause = min(pause * 2, 100_000)
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        let note = StoreWriter.this(name).note
        if ftruncate(descriptor, 0) == 0 {
            _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        }
        return try body()
    }
}

/// The writer lock's file, open once per process for as long as a store of it is open.
final class LockFile: Sendable {
    let descriptor: Int32
    let turn = NSLock()
    private let path: String

    private struct Entry {
        weak var file: LockFile?
    }
    private static let open = Mutex<[String: Entry]>([:])

    private init(path: String) {
        self.path = path
        descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    static func shared(path: String) -> LockFile {
        open.withLock { files in
            if let file = files[path]?.file { return file }
            let file = LockFile(path: path)
            files = files.filter { $0.value.file != nil }
            files[path] = Entry(file: file)
            return file
        }
    }

    /// Who holds the lock, as its note says.
    func holder() -> StoreWriter? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return StoreWriter(note: String(decoding: buffer[..<count], as: UTF8.self))
    }
}
