import Foundation
import VerdictStore

/// The frame every scheduled run (`daily`, `run-all`) shares: the workspace's lock for its whole
/// life, its record for the date (started, then finished with its summary), and the earlier
/// finished run that makes a second run for the same date say it changed nothing.
struct ScheduledRun {
    let kind: String
    let date: LocalDay
    let store: EventStore
    private let lock: RunLock
    private let earlier: RunRow?

    /// Takes the lock (waiting up to `lockWait` seconds) and marks the run started.
    init(_ kind: String, date: LocalDay, workspace: Workspace, clock: any VerdictClock, actor: String, lockWait: Double) throws {
        lock = try RunLock.acquire(in: workspace, kind: kind, clock: clock, waiting: lockWait)
        store = try workspace.openStore()
        earlier = try store.run(kind, day: date.number)
        try store.startRun(kind, day: date.number, at: clock.nowMilliseconds(), actor: actor)
        self.kind = kind
        self.date = date
    }

    /// When this run changed nothing and failed nowhere: the time an earlier run for the date finished.
    func alreadyRanAt(changed: Bool, failed: Bool) -> String? {
        guard !changed, !failed, let finished = earlier?.finishedAt else { return nil }
        return utcTime(finished)
    }

    /// Marks the run finished with `summary`; the lock goes with this value.
    func finish(at time: Int64, summary: some Encodable) throws {
        try store.finishRun(kind, day: date.number, at: time, summary: try JSONOutput.encode(summary))
        withExtendedLifetime(lock) {}
    }
}
