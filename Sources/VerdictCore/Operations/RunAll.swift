import Foundation
import Synchronization
import VerdictStore

/// What `verdict run-all` did for one date: every experiment whose window (and outcome lag) had
/// ended got its verdict and recommendation recorded; with `apply`, each recommendation was
/// carried out as a decision.
public struct RunAllSummary: Encodable, Sendable {
    /// The local date it ran for.
    public var date: String
    public var applied: Bool
    /// The experiments with a verdict awaiting a decision, or decided by this run.
    public var entries: [Entry]
    /// Started experiments whose window (or outcome lag) has not ended by `date`.
    public var stillRunning: Int
    /// Experiments that could not be evaluated or decided (a broken sealed script, a store
    /// error): the run went on with the others.
    public var failures: [Failure]
    /// When an earlier run for the same date had finished and this one found nothing to do.
    public var alreadyRanAt: String?

    public struct Entry: Encodable, Sendable {
        public var changeID: String
        public var title: String
        /// The window the verdict covers, local dates.
        public var window: ReportDocument.Window
        /// pass, fail or inconclusive.
        public var verdict: String
        /// keep, rollback or extend, and why.
        public var recommendation: String
        public var reason: String
        /// The primary KPI's relative change and its interval.
        public var primary: Primary
        /// Whether this run recorded the verdict (false: it was recorded before).
        public var recorded: Bool
        /// The decision this run took (`apply`), if any.
        public var decided: String?
        /// What the owner should do now, in words.
        public var next: String

        enum CodingKeys: String, CodingKey {
            case title, window, verdict, recommendation, reason, primary, recorded, decided, next
            case changeID = "change_id"
        }
    }

    public struct Primary: Encodable, Sendable {
        public var name: String
        public var relative: ReportDocument.Number
        public var ciLow: ReportDocument.Number
        public var ciHigh: ReportDocument.Number

        enum CodingKeys: String, CodingKey {
            case name, relative
            case ciLow = "ci_low", ciHigh = "ci_high"
        }
    }

    public struct Failure: Encodable, Sendable, Error, CustomStringConvertible {
        public var changeID: String
        public var message: String

        public var description: String { "\(changeID): \(message)" }

        enum CodingKeys: String, CodingKey {
            case message
            case changeID = "change_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case date, applied, entries, failures
        case stillRunning = "still_running", alreadyRanAt = "already_ran_at"
    }
}

/// The weekly run (`verdict run-all`): safe to run from cron. One run at a time per workspace
/// (`RunLock`); each verdict and each decision is its own transaction, so a run killed half way
/// is completed by the next without doing anything twice; a second run for the same date finds
/// nothing left to do and says so.
public struct RunAll: Sendable {
    let workspace: Workspace
    let clock: any VerdictClock
    let actor: String

    /// Who takes the decisions of `apply`, on the audit trail.
    public static let decisionActor = "run-all"

    public init(workspace: Workspace, clock: any VerdictClock, actor: String) {
        self.workspace = workspace
        self.clock = clock
        self.actor = actor
    }

    /// Runs for the local date `date` (what was due by then): records every due verdict and,
    /// with `apply`, carries out each recommendation. Waits up to `lockWait` seconds for another
    /// run to end.
    public func run(date: LocalDay, apply: Bool, lockWait: Double = 10) throws -> RunAllSummary {
        let run = try ScheduledRun("run-all", date: date, workspace: workspace, clock: clock, actor: actor, lockWait: lockWait)
        let store = run.store
        let lifecycle = try Lifecycle(workspace: workspace, clock: clock, actor: actor, asOf: date)
        let deciding = try Lifecycle(workspace: workspace, clock: clock, actor: Self.decisionActor, asOf: date)
        var summary = RunAllSummary(date: date.description, applied: apply, entries: [], stillRunning: 0, failures: [])
        var changed = false
        let rows = try store.experiments()
        // The due verdicts are computed side by side (reads only), then recorded one by one.
        let states = try Dictionary(uniqueKeysWithValues: rows.map { ($0.changeID, try lifecycle.state(of: $0)) })
        let due = rows.filter { states[$0.changeID]!.isLive && date.number > Lifecycle.verdictWaitsThrough($0) }
        let prepared = Mutex([String: Result<Lifecycle.PreparedVerdict, any Error>]())
        DispatchQueue.concurrentPerform(iterations: due.count) { index in
            let changeID = due[index].changeID
            let result = Result { try lifecycle.prepareVerdict(changeID) }
            prepared.withLock { $0[changeID] = result }
        }
        let ready = prepared.withLock { $0 }
        for row in rows {
            var recorded = false
            switch states[row.changeID]! {
            case let state where state.isLive:
                guard let result = ready[row.changeID] else {
                    summary.stillRunning += 1
                    continue
                }
                do {
                    try lifecycle.record(try result.get())
                    recorded = true
                    changed = true
                } catch {
                    summary.failures.append(.init(changeID: row.changeID, message: "\(error)"))
                    continue
                }
            case .evaluated:
                break
            default:
                continue
            }
            guard let verdict = try store.verdicts(changeID: row.changeID).last else { continue }
            var entry = Self.entry(verdict, recorded: recorded)
            entry.title = (try? lifecycle.status(of: row.changeID).title) ?? entry.title
            if apply, let action = verdict.recommendation.flatMap(Lifecycle.Decision.init(rawValue:)) {
                do {
                    let decided = try deciding.decide(row.changeID, action, note: "run-all --apply: \(entry.reason)")
                    entry.decided = action.rawValue
                    entry.next = Self.afterDecision(decided.status)
                    changed = true
                } catch {
                    summary.failures.append(.init(changeID: row.changeID, message: "\(error)"))
                }
            }
            summary.entries.append(entry)
        }
        // Again at the end: a run killed between a decision and its flags.json is made whole here.
        try deciding.writeFlagsFile()
        summary.alreadyRanAt = run.alreadyRanAt(changed: changed, failed: !summary.failures.isEmpty)
        try run.finish(at: clock.nowMilliseconds(), summary: summary)
        return summary
    }

    /// An entry from a recorded verdict and the report document stored with it.
    static func entry(_ verdict: VerdictRow, recorded: Bool) -> RunAllSummary.Entry {
        let document = (try? JSONSerialization.jsonObject(with: Data(verdict.document.utf8))) as? [String: Any] ?? [:]
        let recommendation = document["recommendation"] as? [String: Any] ?? [:]
        let kpis = document["kpis"] as? [[String: Any]] ?? []
        let primary = kpis.first { $0["role"] as? String == "primary" } ?? [:]
        let difference = primary["difference"] as? [String: Any] ?? [:]
        let action = verdict.recommendation ?? (recommendation["action"] as? String) ?? "decide"
        return RunAllSummary.Entry(
            changeID: verdict.changeID, title: verdict.changeID,
            window: .init(from: LocalDay(number: verdict.startDay).description, to: LocalDay(number: verdict.endDay).description),
            verdict: verdict.outcome, recommendation: action, reason: recommendation["reason"] as? String ?? "",
            primary: .init(
                name: primary["name"] as? String ?? "", relative: .init(difference["relative"] as? Double),
                ciLow: .init(difference["ci_low"] as? Double), ciHigh: .init(difference["ci_high"] as? Double)),
            recorded: recorded, decided: nil,
            next: "your decision; recommended: verdict decide \(verdict.changeID) \(action)")
    }

    static func afterDecision(_ status: ExperimentStatus) -> String {
        switch status.state {
        case .kept: "nothing: kept for everyone it targets"
        case .rolledBack: "nothing: rolled back"
        default: "wait: extended to \(status.windowEnd)"
        }
    }
}
