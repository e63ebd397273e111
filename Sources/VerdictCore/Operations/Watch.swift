import Foundation
import VerdictStore

/// A kept change watched after its decision (a script's `watch`, 28 days unless it says): each
/// morning `daily` checks its leading indicator and guardrails over the days since the keep (at
/// most the last seven) against the control arm of the window it was judged on. A breach acts as
/// in the first days: the declared `on_breach` (a throttle), then `on_second_breach` (a rollback,
/// a reversal of the keep). When the watch is over, the change has ended: served for good.
public struct WatchSummary: Encodable, Sendable {
    public var changeID: String
    public var title: String
    public var state: ExperimentState
    /// The day it was kept, and the last day it is watched.
    public var keptOn: String
    public var watchedThrough: String
    /// The checks this run made (catching up missed days in order), the last one first shown.
    public var checks: [Check]
    /// What this run did, in words.
    public var actions: [String]

    public struct Check: Encodable, Sendable {
        public var day: String
        /// ok, breach or waiting.
        public var status: String
        public var findings: [SafetyFinding]
    }

    enum CodingKeys: String, CodingKey {
        case title, state, checks, actions
        case changeID = "change_id", keptOn = "kept_on", watchedThrough = "watched_through"
    }
}

extension Daily {
    /// A watch check's place in the safety checks: the days since the keep, past every check
    /// hour a declaration can have (at most 72).
    static func watchHour(_ daysSinceKeep: Int32) -> Int { 1000 + Int(daysSinceKeep) }

    /// Watches one kept change on `date`: catches up the days not checked yet, in order, acting on
    /// a breach; ends the watch once it is over. Returns what it found, and whether it changed
    /// anything.
    func watch(_ row: ExperimentRow, date: LocalDay, lifecycle: Lifecycle, store: EventStore) throws -> (WatchSummary, Bool) {
        guard let sealed = try lifecycle.sealedExperiment(changeID: row.changeID) else { throw LifecycleError.notStarted(row.changeID) }
        let declaration = sealed.declaration
        let keptAt = try store.decisions(changeID: row.changeID).last { $0.decision == Lifecycle.Decision.keep.rawValue }?.at ?? row.startedAt
        let keptOn = workspace.today(FixedClock(Date(timeIntervalSince1970: Double(keptAt) / 1000))).number
        let through = keptOn + Int32(declaration.watchDays)
        var summary = WatchSummary(
            changeID: row.changeID, title: declaration.title, state: .kept, keptOn: LocalDay(number: keptOn).description,
            watchedThrough: LocalDay(number: through).description, checks: [], actions: [])
        var changed = false
        let done = try store.safetyChecks(changeID: row.changeID)
        var breaches = done.filter { $0.hour >= Self.watchHour(0) && $0.outcome == "breach" }.count
        let checked = Set(done.map(\.hour))
        let evaluator = Evaluator(
            store: store, declaration: declaration, settings: workspace.settings, sandbox: declaration.hasCustomKPIs ? sealed.sandbox : nil)
        // On day d the days after the keep that are over, at most the last seven, are judged.
        let first = keptOn + 2
        let last = min(date.number, through + 1)
        if first <= last {
            for d in first...last where !checked.contains(Self.watchHour(d - keptOn)) {
                guard let flag = try lifecycle.flags().first(where: { $0.changeID == row.changeID }), flag.state != .off else { break }
                let recent = max(keptOn + 1, d - 7)...(d - 1)
                let findings = try evaluator.watchResults(window: row.startDay...row.endDay, recent: recent, share: flag.share).map {
                    SafetyTest.check($0, minimumEvents: declaration.safety.minimumEvents)
                }
                let day = LocalDay(number: d)
                if findings.allSatisfy({ $0.status == .waiting }) {
                    summary.checks.append(.init(day: day.description, status: "waiting", findings: findings))
                    continue
                }
                let done = try recordCheck(
                    row, hour: Self.watchHour(d - keptOn), at: day.description, day: day, findings: findings, breaches: breaches,
                    declaration: declaration, lifecycle: lifecycle, store: store, reason: "watch: \(day)", since: " since it was kept")
                let (status, words, recorded) = (done.outcome, done.words, done.recorded)
                summary.checks.append(.init(day: day.description, status: status, findings: findings))
                guard recorded else { continue }
                changed = true
                if status == "breach" {
                    breaches += 1
                    let what = findings.filter { $0.status == .breach }.map { "\($0.kpi) \($0.words)" }.joined(separator: "; ")
                    summary.actions.append("watch check of \(day): \(what); \(words.isEmpty ? "no action" : words)")
                }
                if try lifecycle.state(of: try store.experiments().first { $0.changeID == row.changeID } ?? row) != .kept { break }
            }
        }
        let now = try store.experiments().first { $0.changeID == row.changeID } ?? row
        summary.state = try lifecycle.state(of: now)
        if summary.state == .kept, date.number > through {
            let move = try LifecycleTable.require(.watchEnds, from: .kept, changeID: row.changeID)
            let at = clock.nowMilliseconds()
            let details = WatchEndDetails(keptOn: summary.keptOn, watchedThrough: summary.watchedThrough, breaches: breaches)
            try store.setState(
                row.changeID, to: move.to.rawValue, check: Lifecycle.unchanged(now, else: "daily ends its watch on its next run"),
                audit: { _ in AuditTrail.maker(at: at, changeID: row.changeID, actor: Self.safetyActor, action: "watch-end", details: details) })
            summary.state = move.to
            summary.actions.append("its watch is over (\(summary.keptOn) to \(summary.watchedThrough)): it has ended, kept for good")
            changed = true
        }
        return (summary, changed)
    }
}

struct WatchEndDetails: Encodable, Sendable {
    var keptOn: String
    var watchedThrough: String
    var breaches: Int

    enum CodingKeys: String, CodingKey {
        case breaches
        case keptOn = "kept_on", watchedThrough = "watched_through"
    }
}
