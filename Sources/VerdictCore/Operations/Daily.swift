import Foundation
import Synchronization
import VerdictStore

/// What `verdict daily` found and did for one date.
public struct DailySummary: Encodable, Sendable {
    public var date: String
    public var experiments: [Experiment]
    /// Experiments that could not be checked (a broken sealed copy, a store error).
    public var failures: [RunAllSummary.Failure]
    /// Experiments started on this date (or for a later one): running, with no finished day to
    /// check yet.
    public var starting: [Starting] = []
    /// The files found in `inbox/`, ingested before the checks.
    public var inbox: [Inbox.File] = []
    /// Kept changes watched after their decision.
    public var watched: [WatchSummary] = []
    /// When an earlier run for the same date had finished and this one did nothing new.
    public var alreadyRanAt: String?
    /// The summary as text, as the terminal, the file and the webhook get it.
    public var text: String = ""
    /// Where the text was written, in the workspace.
    public var file: String?
    /// What the webhook said, when one is set: `sent`, or why it failed.
    public var webhook: String?
    /// The dashboard pages the command refreshed after the run (`dashboards/index.html`, ...).
    public var dashboard: [String] = []
    /// The audit trail's head after the run (`SEQ:HASH`), kept in the text, so the file and the
    /// webhook's message hold it where a lost store cannot take it (`audit verify --head FILE`).
    public var auditHead: String?

    public struct Experiment: Encodable, Sendable {
        public var changeID: String
        public var title: String
        public var state: ExperimentState
        public var day: Int
        public var windowDays: Int
        public var flag: String
        /// The leading indicator's name, and its figures on each finished day of the window, per arm.
        public var leadingKPI: String
        public var leading: [LeadingDay]
        /// Each declared safety check: done (ok or breach), waiting, or still to come.
        public var checks: [Check]
        /// Set when the last finished day had no events for the change: since when.
        public var noEventsSince: String?
        /// What this run did to the flag, in words.
        public var actions: [String]

        enum CodingKeys: String, CodingKey {
            case title, state, day, flag, leading, checks, actions
            case changeID = "change_id", windowDays = "window_days", noEventsSince = "no_events_since", leadingKPI = "leading_kpi"
        }
    }

    public struct Starting: Encodable, Sendable {
        public var changeID: String
        public var title: String
        /// The window's first day.
        public var firstDay: String
        /// When its first safety check falls due (local time), if it declares one.
        public var firstCheckAt: String?

        enum CodingKeys: String, CodingKey {
            case title
            case changeID = "change_id", firstDay = "first_day", firstCheckAt = "first_check_at"
        }
    }

    public struct LeadingDay: Encodable, Sendable {
        public var day: String
        public var control: ReportDocument.Arm
        public var treatment: ReportDocument.Arm
        /// Both arms in words, as the report shows them (`control 4.0/day (n 2), treatment ...`).
        public var shown: String
    }

    public struct Check: Encodable, Sendable {
        public var hour: Int
        /// The check's local time.
        public var at: String
        /// scheduled, waiting, ok or breach.
        public var status: String
        /// The action it took: none, throttle or rollback.
        public var action: String
        /// Whether this run did it (false: an earlier run, or not yet).
        public var now: Bool
        public var findings: [SafetyFinding]
    }

    enum CodingKeys: String, CodingKey {
        case date, experiments, failures, starting, inbox, file, webhook, dashboard, watched
        case auditHead = "audit_head"
        case alreadyRanAt = "already_ran_at"
    }
}

/// The morning run (`verdict daily`): for each running experiment, the leading indicator day by
/// day, the safety checks that are due with their actions on the flag, and a day without events
/// as a finding. Safe from cron like `RunAll`: one run at a time, each check once (its record, the
/// flag's change and the audit records in one transaction), and checks missed on earlier days
/// are done in order, each on the days of data it would have seen.
public struct Daily: Sendable {
    let workspace: Workspace
    let clock: any VerdictClock
    let actor: String

    /// The actor of safety actions on the audit trail.
    public static let safetyActor = "daily"

    public init(workspace: Workspace, clock: any VerdictClock, actor: String) {
        self.workspace = workspace
        self.clock = clock
        self.actor = actor
    }

    public func run(date: LocalDay, lockWait: Double = 10) throws -> DailySummary {
        let run = try ScheduledRun("daily", date: date, workspace: workspace, clock: clock, actor: actor, lockWait: lockWait)
        let store = run.store
        let lifecycle = try Lifecycle(workspace: workspace, clock: clock, actor: Self.safetyActor, asOf: date)
        var summary = DailySummary(date: date.description, experiments: [], failures: [])
        // The night's exports first, so the checks see them.
        do {
            summary.inbox = try Inbox(workspace: workspace, clock: clock, actor: actor).ingestAll(date: date)
        } catch {
            summary.failures.append(.init(changeID: "inbox", message: "\(error)"))
        }
        for file in summary.inbox where file.outcome == "failed" {
            summary.failures.append(.init(changeID: "inbox/\(file.name)", message: file.error ?? "could not be ingested"))
        }
        var changed = summary.inbox.contains { $0.stored > 0 }
        // Each experiment's checks are its own (its reads, its check records, its flag), so the
        // experiments are checked side by side; the store serializes their writes.
        let live = try store.experiments().filter { try lifecycle.state(of: $0).isLive }
        let running = live.filter { $0.startDay < date.number }
        summary.starting = try live.filter { $0.startDay >= date.number }.map { try starting($0, lifecycle: lifecycle) }
        let results = Mutex([Result<(DailySummary.Experiment, Bool), any Error>?](repeating: nil, count: running.count))
        DispatchQueue.concurrentPerform(iterations: running.count) { index in
            let result = Result { try check(running[index], date: date, lifecycle: lifecycle, store: store) }
            results.withLock { $0[index] = result }
        }
        for (row, result) in zip(running, results.withLock { $0 }) {
            do {
                let (experiment, did) = try result!.get()
                summary.experiments.append(experiment)
                changed = changed || did
            } catch {
                summary.failures.append(.init(changeID: row.changeID, message: "\(error)"))
            }
        }
        for row in try store.experiments() where try lifecycle.state(of: row) == .kept {
            do {
                let (watched, did) = try watch(row, date: date, lifecycle: lifecycle, store: store)
                summary.watched.append(watched)
                changed = changed || did
            } catch {
                summary.failures.append(.init(changeID: row.changeID, message: "\(error)"))
            }
        }
        try lifecycle.writeFlagsFile()  // also after a run killed between a flag change and the file
        summary.alreadyRanAt = run.alreadyRanAt(changed: changed, failed: !summary.failures.isEmpty)
        summary.auditHead = try store.auditHead().map { AuditHead($0).description }
        summary.text = DailyText.render(summary)
        summary.file = try writeText(summary)
        if let webhook = workspace.settings.webhook { summary.webhook = Webhook.post(summary.text, to: webhook) }
        try run.finish(at: clock.nowMilliseconds(), summary: summary)
        return summary
    }

    /// An experiment with no finished day yet: when its window opens and its first check is due.
    private func starting(_ row: ExperimentRow, lifecycle: Lifecycle) throws -> DailySummary.Starting {
        let status = try lifecycle.status(of: row.changeID)
        let firstHour = try lifecycle.sealedExperiment(changeID: row.changeID)?.declaration.safety.checkHours.min()
        let firstCheck = firstHour.map {
            EventRecord.format(Date(timeIntervalSince1970: Double(row.startedAt) / 1000 + Double($0) * 3600), in: workspace.timeZone)
        }
        return .init(changeID: row.changeID, title: status.title, firstDay: LocalDay(number: row.startDay).description, firstCheckAt: firstCheck)
    }

    /// The summary as `daily/DATE.txt` in the workspace (written whole, then renamed).
    private func writeText(_ summary: DailySummary) throws -> String {
        let folder = workspace.root.appendingPathComponent("daily")
        let file = folder.appendingPathComponent("\(summary.date).txt")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try summary.text.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw WorkspaceError.cannotWrite(workspace.relativePath(of: file), at: file, error)
        }
        return workspace.relativePath(of: file)
    }

    private func check(
        _ row: ExperimentRow, date: LocalDay, lifecycle: Lifecycle, store: EventStore
    ) throws -> (DailySummary.Experiment, Bool) {
        guard let sealed = try lifecycle.sealedExperiment(changeID: row.changeID) else { throw LifecycleError.notStarted(row.changeID) }
        let declaration = sealed.declaration
        let evaluator = Evaluator(
            store: store, declaration: declaration, settings: workspace.settings, sandbox: declaration.hasCustomKPIs ? sealed.sandbox : nil)
        let lastFinished = LocalDay(number: min(date.number - 1, row.endDay))
        let leading = try evaluator.daily(declaration.leading, role: .leading, from: LocalDay(number: row.startDay), to: lastFinished)
            .map { day, result in
                let arms = ReportDocument.arms(result)
                let shown = "control \(result.kpi.shownArm(value: result.control.value, n: result.control.n)); "
                    + "treatment \(result.kpi.shownArm(value: result.treatment.value, n: result.treatment.n))"
                return DailySummary.LeadingDay(day: day.description, control: arms.control, treatment: arms.treatment, shown: shown)
            }
        var did = false
        var actions: [String] = []
        let done = Dictionary(uniqueKeysWithValues: try store.safetyChecks(changeID: row.changeID).map { ($0.hour, $0) })
        var breaches = done.values.filter { $0.outcome == "breach" }.count
        let zone = workspace.timeZone
        struct Pending {
            var hour: Int
            var day: LocalDay
            var at: String
            var findings: [SafetyFinding] = []
        }
        var pending: [Pending] = []
        var results: [Int: DailySummary.Check] = [:]
        for hour in declaration.safety.checkHours {
            let instant = Date(timeIntervalSince1970: Double(row.startedAt) / 1000 + Double(hour) * 3600)
            let at = EventRecord.format(instant, in: zone)
            if let record = done[hour] {
                let findings = (try? JSONDecoder().decode([StoredFinding].self, from: Data(record.details.utf8)))?.map(\.finding) ?? []
                results[hour] = .init(hour: hour, at: at, status: record.outcome, action: record.action, now: false, findings: findings)
            } else {
                pending.append(Pending(hour: hour, day: workspace.today(FixedClock(instant)), at: at))
            }
        }
        // The days since the first pending check fell due, in order, as if daily had run on each:
        // on day d a due check sees the finished days before d, and one that has too few events
        // waits for the next day's. A run after days off so does what the missed runs would have.
        var stopped = done.values.contains { $0.action == "rollback" }
        let lastDay = min(date.number, row.endDay + 1)
        if let first = pending.map(\.day.number).min(), first <= lastDay, !stopped {
            dayLoop: for d in first...lastDay {
                let due = pending.indices.filter { pending[$0].day.number <= d }
                guard !due.isEmpty else { continue }
                let through = LocalDay(number: d - 1)
                let findings: [SafetyFinding]
                if through.number < row.startDay {
                    findings = []
                } else {
                    findings = try evaluator.safetyResults(from: LocalDay(number: row.startDay), to: through).map {
                        SafetyTest.check($0, minimumEvents: declaration.safety.minimumEvents)
                    }
                }
                var finished: [Int] = []
                // A check still waiting when a later one falls due is overtaken by it: the later
                // check sees all the days the earlier one would have, and one breach is one breach.
                for index in due.dropLast() {
                    let waiting = pending[index]
                    let (check, recorded) = try skip(
                        row, (waiting.hour, waiting.day, waiting.at, waiting.findings), by: pending[due.last!].hour, day: LocalDay(number: d),
                        store: store)
                    results[pending[index].hour] = check
                    finished.append(index)
                    did = did || recorded
                }
                for index in due.suffix(1) {
                    let hour = pending[index].hour, at = pending[index].at
                    pending[index].findings = findings
                    if findings.isEmpty || findings.allSatisfy({ $0.status == .waiting }) { continue }
                    let (check, recorded, words, rolledBack) = try record(
                        row, hour: hour, at: at, day: LocalDay(number: d), findings: findings, breaches: breaches, declaration: declaration,
                        lifecycle: lifecycle, store: store)
                    results[hour] = check
                    finished.append(index)
                    if recorded {
                        did = true
                        if check.status == "breach" {
                            breaches += 1
                            let what = findings.filter { $0.status == .breach }.map { "\($0.kpi) \($0.words)" }.joined(separator: "; ")
                            actions.append("\(hour)h check: \(what); \(words.isEmpty ? "no action" : words)")
                        }
                    }
                    if rolledBack {
                        stopped = true
                        break
                    }
                }
                pending = pending.enumerated().filter { !finished.contains($0.offset) }.map(\.element)
                if stopped { break dayLoop }
            }
        }
        for check in pending {
            let status = check.day.number <= date.number && !stopped ? "waiting" : "scheduled"
            results[check.hour] = .init(hour: check.hour, at: check.at, status: status, action: "none", now: false, findings: check.findings)
        }
        let checks = declaration.safety.checkHours.compactMap { results[$0] }
        let status = try lifecycle.status(of: row.changeID)
        let share = status.flag.map { "\($0.key) \($0.state.rawValue) \(FigureText.percent($0.share, trimmed: true))" } ?? "no flag"
        return (
            DailySummary.Experiment(
                changeID: row.changeID, title: status.title, state: status.state, day: status.day, windowDays: status.windowDays,
                flag: share, leadingKPI: declaration.leading.name, leading: leading, checks: checks,
                noEventsSince: try quietSince(row, lastFinished: lastFinished, store: store), actions: actions),
            did
        )
    }

    /// Records a check that waited until a later one fell due: overtaken, with its last findings.
    private func skip(
        _ row: ExperimentRow, _ check: (hour: Int, day: LocalDay, at: String, findings: [SafetyFinding]), by later: Int, day: LocalDay,
        store: EventStore
    ) throws -> (DailySummary.Check, Bool) {
        let stored = SafetyCheckRow(
            changeID: row.changeID, hour: check.hour, day: day.number, checkedAt: clock.nowMilliseconds(), outcome: "overtaken",
            action: "none", details: try JSONOutput.encode(check.findings.map(StoredFinding.init)))
        let recorded = try store.recordSafetyCheck(stored, flagChange: nil, experimentState: nil, audit: { _ in [] })
        return (.init(hour: check.hour, at: check.at, status: "overtaken", action: "none", now: recorded, findings: check.findings), recorded)
    }

    /// Records one check of the first days, with a breach's action on the flag, in one
    /// transaction. Returns the check, whether this run recorded it, the action in words, and
    /// whether it rolled back.
    private func record(
        _ row: ExperimentRow, hour: Int, at: String, day: LocalDay, findings: [SafetyFinding], breaches: Int,
        declaration: ExperimentDeclaration, lifecycle: Lifecycle, store: EventStore
    ) throws -> (DailySummary.Check, Bool, String, Bool) {
        let done = try recordCheck(
            row, hour: hour, at: at, day: day, findings: findings, breaches: breaches, declaration: declaration, lifecycle: lifecycle,
            store: store, reason: "safety: \(hour)h check", since: "")
        return (
            .init(hour: hour, at: at, status: done.outcome, action: done.action, now: done.recorded, findings: findings), done.recorded,
            done.words, done.rolledBack
        )
    }

    /// What `recordCheck` did.
    struct RecordedCheck {
        /// ok or breach.
        var outcome: String
        /// none, throttle or rollback.
        var action: String
        /// The action in words.
        var words: String
        /// Whether this run recorded it (false: an earlier run or a racing one had).
        var recorded: Bool
        var rolledBack: Bool
    }

    /// Records one safety check (of the first days, or of a kept change's watch) with what a
    /// breach does, in one transaction: the check, the flag's change and the experiment's state
    /// by the transition table, and a `safety-breach` record. The first breach carries out the
    /// declared `on_breach`, later ones `on_second_breach`. `reason` is the flag change's; `since`
    /// follows the breach's ordinal in words (" since it was kept").
    func recordCheck(
        _ row: ExperimentRow, hour: Int, at: String, day: LocalDay, findings: [SafetyFinding], breaches: Int,
        declaration: ExperimentDeclaration, lifecycle: Lifecycle, store: EventStore, reason: String, since: String
    ) throws -> RecordedCheck {
        let breached = findings.filter { $0.status == .breach }
        let outcome = breached.isEmpty ? "ok" : "breach"
        var actionName = "none"
        var flagChange: FlagChangeRow?
        var move: Transition?
        var words = ""
        let now = clock.nowMilliseconds()
        if !breached.isEmpty, let flag = try lifecycle.flags().first(where: { $0.changeID == row.changeID }) {
            let ordinal = (breaches == 0 ? "first breach" : "breach \(breaches + 1)") + since
            let state = try lifecycle.state(of: row)
            switch breaches == 0 ? declaration.safety.onBreach : declaration.safety.onSecondBreach {
            case .throttle(let share) where flag.share > share:
                move = try LifecycleTable.require(.safetyThrottle, from: state, changeID: row.changeID)
                actionName = "throttle"
                flagChange = Lifecycle.flagChange(
                    move!, flag: flag.key, share: flag.share, split: flag.spec.split, throttleTo: share, at: now, actor: Self.safetyActor,
                    reason: reason)
                words = "throttled to \(FigureText.percent(share, trimmed: true)) (\(ordinal))"
            case .throttle(let share):
                words = "already at \(FigureText.percent(flag.share, trimmed: true)), at or below the throttle's \(FigureText.percent(share, trimmed: true)) (\(ordinal))"
            case .rollback:
                move = try LifecycleTable.require(.safetyRollback, from: state, changeID: row.changeID)
                actionName = "rollback"
                flagChange = Lifecycle.flagChange(
                    move!, flag: flag.key, share: flag.share, split: flag.spec.split, throttleTo: nil, at: now, actor: Self.safetyActor,
                    reason: reason)
                words = "rolled back: the flag is off\(move!.to == .reversed ? ", a reversal of the keep" : "") (\(ordinal))"
            }
        }
        let check = SafetyCheckRow(
            changeID: row.changeID, hour: hour, day: day.number, checkedAt: now, outcome: outcome, action: actionName,
            details: try JSONOutput.encode(findings.map(StoredFinding.init)))
        let changeID = row.changeID, actionWords = words, change = flagChange, action = move?.action
        let recorded = try store.recordSafetyCheck(
            check, flagChange: flagChange, experimentState: move?.to.rawValue,
            check: { stored in
                // The state as stored now (this run may have throttled it a day earlier): the
                // breach's action must still apply to it.
                if let action, try LifecycleTable.transition(from: lifecycle.state(of: stored), action) == nil {
                    throw LifecycleRefusal(underlying: LifecycleError.changedMeanwhile(stored.changeID, advice: "daily checks it again on its next run"))
                }
            },
            audit: { before in
                guard outcome == "breach" else { return [] }
                return [
                    AuditTrail.maker(
                        at: now, changeID: changeID, actor: Self.safetyActor, action: "safety-breach",
                        details: SafetyBreachDetails(
                            hour: hour, at: at, findings: breached, action: actionName, words: actionWords,
                            from: before.map { .init(state: $0.state, share: $0.share) },
                            to: change.map { .init(state: $0.state, share: $0.share) }))
                ]
            })
        return RecordedCheck(
            outcome: outcome, action: actionName, words: words, recorded: recorded,
            rolledBack: recorded && flagChange?.state == FlagState.off.rawValue)
    }

    /// When the last finished day had no events for the change: the day after its last events
    /// (or the start, when it never had any).
    private func quietSince(_ row: ExperimentRow, lastFinished: LocalDay, store: EventStore) throws -> String? {
        guard lastFinished.number >= row.startDay else { return nil }
        var filter = EventFilter(changeID: row.changeID, fromDay: row.startDay, toDay: lastFinished.number)
        filter.cohorts = []
        let days = try store.countEvents(filter, groupedBy: [.day]).compactMap { count -> Int32? in
            if case .day(let day) = count.keys.first { return day }
            return nil
        }
        guard days.last != lastFinished.number else { return nil }
        let since = LocalDay(number: (days.last ?? row.startDay - 1) + 1)
        return "\(Lifecycle.weekday(since)) \(since)"
    }
}

/// A finding as stored with its check (the same fields).
struct StoredFinding: Codable {
    var kpi: String
    var role: String
    var status: String
    var controlN: Int
    var controlValue: Double?
    var treatmentN: Int
    var treatmentValue: Double?
    var limit: String
    var words: String

    init(_ finding: SafetyFinding) {
        kpi = finding.kpi
        role = finding.role
        status = finding.status.rawValue
        controlN = finding.control.n
        controlValue = finding.control.value.value
        treatmentN = finding.treatment.n
        treatmentValue = finding.treatment.value.value
        limit = finding.limit
        words = finding.words
    }

    var finding: SafetyFinding {
        SafetyFinding(
            kpi: kpi, role: role, status: SafetyFinding.Status(rawValue: status) ?? .ok,
            control: .init(n: controlN, value: .init(controlValue)), treatment: .init(n: treatmentN, value: .init(treatmentValue)),
            limit: limit, words: words)
    }
}

struct SafetyBreachDetails: Encodable, Sendable {
    var hour: Int
    var at: String
    var findings: [SafetyFinding]
    var action: String
    var words: String
    var from: FlagPosition?
    var to: FlagPosition?
}

/// The morning summary in words: what an owner reads first.
enum DailyText {
    static func render(_ summary: DailySummary) -> String {
        var lines: [String] = []
        var head = "Verdict daily for \(summary.date)"
        if let earlier = summary.alreadyRanAt { head += " (already ran at \(earlier); nothing changed)" }
        lines.append(head + ":")
        if !summary.inbox.isEmpty {
            lines.append("Inbox:")
            lines += Inbox.lines(summary.inbox)
            if summary.experiments.isEmpty && summary.starting.isEmpty { lines.append("") }  // the next section opens with its own
        }
        if summary.experiments.isEmpty && summary.failures.isEmpty && summary.starting.isEmpty {
            lines.append(summary.watched.isEmpty ? "  no experiment is running." : "  no experiment is running; kept changes are watched.")
        }
        for started in summary.starting {
            lines.append("")
            let check = started.firstCheckAt.map { "; its first safety check is at \($0)" } ?? ""
            lines.append("\(started.changeID) \(started.title): started, day 1 is \(started.firstDay)\(check).")
        }
        for experiment in summary.experiments {
            lines.append("")
            lines.append("\(experiment.changeID) \(experiment.title): day \(experiment.day) of \(experiment.windowDays), \(experiment.flag) (\(experiment.state))")
            for action in experiment.actions { lines.append("  ACTION: \(action)") }
            if let quiet = experiment.noEventsSince { lines.append("  NO EVENTS since \(quiet): is the website or the export still sending them?") }
            if let day = experiment.leading.last {
                lines.append("  leading indicator \(experiment.leadingKPI) on \(day.day): \(day.shown)")
            }
            for check in experiment.checks {
                switch check.status {
                case "scheduled":
                    lines.append("  safety check \(check.hour)h at \(check.at): to come")
                case "overtaken":
                    lines.append("  safety check \(check.hour)h at \(check.at): too few events; the next check covered its days")
                case "waiting":
                    let words = check.findings.map { "\($0.kpi) \($0.words)" }.joined(separator: "; ")
                    lines.append("  safety check \(check.hour)h at \(check.at): waiting\(words.isEmpty ? " for the first day's events" : " (\(words))")")
                default:
                    let marker = check.status == "breach" ? "BREACH" : "ok"
                    let judged = check.findings.map { "\($0.kpi) \($0.words)" }.joined(separator: "; ")
                    lines.append("  safety check \(check.hour)h at \(check.at): \(marker)\(check.now ? "" : " (earlier)") — \(judged)")
                }
            }
        }
        for watched in summary.watched {
            lines.append("")
            lines.append("\(watched.changeID) \(watched.title): kept on \(watched.keptOn), watched through \(watched.watchedThrough) (\(watched.state))")
            for action in watched.actions { lines.append("  ACTION: \(action)") }
            if let check = watched.checks.last {
                let judged = check.findings.map { "\($0.kpi) \($0.words)" }.joined(separator: "; ")
                let marker = ["breach": "BREACH", "waiting": "waiting"][check.status] ?? "ok"
                lines.append("  watch check of \(check.day): \(marker) — \(judged)")
            }
        }
        for failure in summary.failures { lines.append("ERROR \(failure)") }
        if let head = summary.auditHead {
            lines.append("")
            lines.append("Audit head \(head) (keep it: `verdict audit verify --head` checks the trail against it)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

}
