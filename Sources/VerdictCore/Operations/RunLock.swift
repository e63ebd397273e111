import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a scheduled run did not start.
public enum RunLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another run holds the workspace's lock.
    case busy(kind: String, holder: String, waited: Double)
    /// The lock file cannot be opened.
    case cannotLock(path: String, reason: String)

    public var description: String {
        switch self {
        case .busy(let kind, let holder, let waited):
            "\(kind) did not start: another Verdict run is in progress (\(holder)) and did not end within "
                + "\(FigureText.number(waited, digits: 1, trimmed: true)) s. Nothing ran twice; run it again once that one has ended."
        case .cannotLock(let path, let reason):
            "cannot lock \(path): \(reason)"
        }
    }
}

/// One scheduled run at a time per workspace: an exclusive `flock` on `.verdict/run.lock`, held
/// for the life of the run and released by the kernel however the process ends (a SIGKILL
/// included). A second run waits briefly for it, then gives up with `RunLockError.busy`.
public final class RunLock: @unchecked Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock for a run of `kind` started at `clock`'s time, waiting up to `seconds` (of
    /// elapsed time) for another run to end.
    public static func acquire(
        in workspace: Workspace, kind: String, clock: any VerdictClock, waiting seconds: Double = 10
    ) throws -> RunLock {
        let path = workspace.stateFolder.appendingPathComponent("run.lock").path
        try? FileManager.default.createDirectory(at: workspace.stateFolder, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RunLockError.cannotLock(path: path, reason: String(cString: strerror(errno))) }
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw RunLockError.cannotLock(path: path, reason: reason)
            }
            if ContinuousClock.now >= deadline {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(descriptor)
                throw RunLockError.busy(kind: kind, holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown", waited: seconds)
            }
            usleep(50_000)
        }
        // Who holds it, for the message a second run prints.
        let started = utcTime(clock.nowMilliseconds())
        let note = "\(kind), process \(getpid()), since \(started)\n"
        ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return RunLock(descriptor: descriptor)
    }
}
