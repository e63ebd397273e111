import Dispatch
import Foundation
import Synchronization

/// Events arriving over the network (`POST /v1/events`), written with group commit.
///
/// Each body becomes a batch of its own, with its own audit record and answer, as `verdict
/// ingest` makes of a file. One writer takes the bodies in the order they came; the bodies that
/// arrive while it commits are written together in its next transaction, so under load a commit
/// (which waits for the disk: the store is opened `durable`) serves many requests, and when
/// requests come one at a time each has its own. A sender's answer comes once its batch is on
/// disk. No request waits on a timer.
public final class EventIntake: Sendable {
    let ingester: Ingester
    /// At most this many bytes of bodies go in one transaction (at least one body always does).
    let groupBytes: Int
    private let state = Mutex(State())
    private let writer = DispatchQueue(label: "verdict.event-intake")
    /// Called with each group before it is written (tests hold the first commit with it).
    let beforeWriting: (@Sendable (_ bodies: Int) -> Void)?

    private struct State: ~Copyable {
        var waiting: [Waiting] = []
        var writing = false
        var commits = 0
        /// What bodies are read against, and when it was read.
        var context: (Ingester.Context, at: ContinuousClock.Instant)?
    }

    /// How long a context read from the store serves (a change started, or a row quarantined,
    /// by another process shows within it).
    static let contextLifetime = Duration.seconds(1)

    /// The requests waiting for a commit.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// The transactions written so far.
    var commits: Int { state.withLock { $0.commits } }

    private struct Waiting: Sendable {
        var body: Ingester.PreparedBody
        var answer: CheckedContinuation<IngestReport, any Error>
    }

    /// Opens the workspace's store for durable commits.
    public convenience init(workspace: Workspace, clock: any VerdictClock) throws {
        try self.init(workspace: workspace, clock: clock, groupBytes: 16 << 20, beforeWriting: nil)
    }

    init(
        workspace: Workspace, clock: any VerdictClock, groupBytes: Int, beforeWriting: (@Sendable (_ bodies: Int) -> Void)?
    ) throws {
        ingester = try Ingester(workspace: workspace, clock: clock, actor: "server", durable: true)
        self.groupBytes = groupBytes
        self.beforeWriting = beforeWriting
    }

    /// Ingests one body as its batch; returns once it is committed, or throws the body's error
    /// (nothing of it stored) or the store's (nothing of its group stored). The body is read and
    /// validated here, in the sender's task; the writer only writes.
    public func ingest(_ submission: Ingester.Submission) async throws -> IngestReport {
        let body = try ingester.prepare(submission, context: try context()).get()
        return try await withCheckedThrowingContinuation { answer in
            let startWriter = state.withLock { state -> Bool in
                state.waiting.append(Waiting(body: body, answer: answer))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter { writer.async { self.writeWaiting() } }
        }
    }

    /// The context bodies are read against, read again when older than `contextLifetime`.
    private func context() throws -> Ingester.Context {
        let now = ContinuousClock.now
        if let kept = state.withLock({ $0.context }), now - kept.at < Self.contextLifetime { return kept.0 }
        let context = try ingester.context()
        state.withLock { $0.context = (context, now) }
        return context
    }

    /// Writes groups until nobody waits.
    private func writeWaiting() {
        while true {
            let group = state.withLock { state -> [Waiting] in
                guard !state.waiting.isEmpty else {
                    state.writing = false
                    return []
                }
                var bytes = 0, count = 0
                for waiting in state.waiting {
                    if count > 0 && bytes + waiting.body.bytes > groupBytes { break }
                    bytes += waiting.body.bytes
                    count += 1
                }
                let group = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                return group
            }
            guard !group.isEmpty else { return }
            beforeWriting?(group.count)
            let written = Result { try ingester.write(group.map(\.body)) }
            // Counted before any answer goes out, so whoever got one sees its commit counted.
            state.withLock { $0.commits += 1 }
            switch written {
            case .success(let results):
                // Rows quarantined now may be fixed by the next bodies: read the context again.
                if group.contains(where: { $0.body.quarantines }) { state.withLock { $0.context = nil } }
                for (waiting, result) in zip(group, results) { waiting.answer.resume(with: result) }
            case .failure(let error):
                for waiting in group { waiting.answer.resume(throwing: error) }
            }
        }
    }
}
