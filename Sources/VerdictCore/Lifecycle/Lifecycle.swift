import Foundation
import VerdictScript
import VerdictStore

/// Why the lifecycle refused an action, in words that say what to do.
public enum LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The forecast says the window cannot decide the rule.
    case underpowered(changeID: String, conclusion: String)
    /// Running experiments target the same customers.
    case overlap(changeID: String, running: [String])
    /// The change_id was started before.
    case changeIDUsed(String, state: String)
    /// Another change was started with this flag.
    case flagInUse(flag: String, by: String, state: String)
    /// No started experiment has this change_id.
    case notStarted(String)
    /// The action does not fit the experiment's state.
    case notAllowed(String)

    public var description: String {
        switch self {
        case .underpowered(let change, let conclusion):
            "\(change) is not started: \(conclusion)\nStart it anyway with --accept-underpowered (recorded on the audit trail with the forecast's figures)."
        case .overlap(let change, let running):
            "\(change) is not started: \(running.joined(separator: ", ")) \(running.count == 1 ? "is" : "are") running for the same customers, "
                + "so their effects would mix. Wait until \(running.count == 1 ? "it ends" : "they end"), or start with --force (recorded)."
        case .changeIDUsed(let change, let state):
            "\(change) was started before (it is \(state.replacingOccurrences(of: "_", with: " "))); give the new change its own change_id"
        case .flagInUse(let flag, let change, let state):
            "the flag \(flag) belongs to \(change) (\(state.replacingOccurrences(of: "_", with: " "))); give this change a flag of its own"
        case .notStarted(let change):
            "\(change) has not been started (verdict start NAME)"
        case .notAllowed(let message):
            message
        }
    }
}

/// A started experiment as `start` and `status` show it.
public struct ExperimentStatus: Encodable, Sendable {
    public var changeID: String
    public var title: String
    public var scriptPath: String
    public var seal: String
    public var state: String
    /// When it started, UTC.
    public var startedAt: String
    /// The window's first and last local days.
    public var windowStart: String
    public var windowEnd: String
    public var windowDays: Int
    /// Which day of the window it is today (0 before it starts; past the end, the last).
    public var day: Int
    public var flag: FlagStatus?
    /// The safety checks, as local times, and which of them are still to come.
    public var safetyChecks: [String]
    /// What comes next, in words.
    public var next: String
    /// Today's arm in words, for changes that staff carry out by hand.
    public var today: String?
    /// The latest recorded verdict (pass, fail or inconclusive), once there is one.
    public var verdict: String?

    enum CodingKeys: String, CodingKey {
        case title, seal, state, day, flag, next, today, verdict
        case changeID = "change_id", scriptPath = "script", startedAt = "started_at", windowStart = "window_start"
        case windowEnd = "window_end", windowDays = "window_days", safetyChecks = "safety_checks"
    }
}

/// Starting, flagging and following experiments: the lifecycle of DESIGN.md §7, one place for
/// every surface.
public struct Lifecycle: Sendable {
    let workspace: Workspace
    let store: EventStore
    let clock: any VerdictClock
    let actor: String
    /// The local day decisions are taken as of (`run-all --date`); else the clock's.
    let asOf: LocalDay?

    /// The lifecycle of `workspace`, at `clock`'s time, acting as `actor`; `asOf` replays a
    /// past date (what was due then), while records still carry the clock's time.
    public init(workspace: Workspace, clock: any VerdictClock, actor: String, asOf: LocalDay? = nil) throws {
        self.workspace = workspace
        store = try workspace.openStore()
        self.clock = clock
        self.actor = actor
        self.asOf = asOf
    }

    /// Today, as the lifecycle sees it.
    var today: LocalDay { asOf ?? workspace.today(clock) }

    /// The sealed copy stored with a started experiment.
    struct SealedCopy: Codable {
        var declared: String
        var script: File
        var plugins: [File]

        struct File: Codable {
            var path: String
            var text: String
        }
    }

    /// Starts the experiment in `file`: loads and seals it, runs the forecast, refuses what the
    /// window cannot decide (unless `acceptUnderpowered`) or what overlaps a running experiment
    /// (unless `force`), and records the start, the seal and any override on the audit trail with
    /// the flag set to the design's split, all in one transaction; then writes `flags.json`.
    ///
    /// `at` is when the change went live, if not now (a start recorded after the fact): the
    /// window starts on that local day. The forecast still reads the history before today, so a
    /// start dated back cannot escape it.
    @discardableResult
    public func start(
        _ file: URL, at wentLive: Date? = nil, acceptUnderpowered: Bool = false, force: Bool = false
    ) throws -> (status: ExperimentStatus, forecast: Forecast) {
        let (declaration, seal, sandbox) = try ExperimentLoader(workspace: workspace).loadSealed(file)
        let now = clock.nowMilliseconds()
        let forecast = try Forecast.make(declaration, sandbox: sandbox, workspace: workspace, today: self.today, baselineDays: 28)
        let startClock = wentLive.map { FixedClock($0) as any VerdictClock } ?? clock
        let startedAt = startClock.nowMilliseconds()
        let today = workspace.today(startClock)
        let underpowered = forecast.kpis.first?.daysForThreshold.map { $0 > Double(declaration.windowDays) } ?? false
        if underpowered && !acceptUnderpowered {
            throw LifecycleError.underpowered(changeID: declaration.changeID, conclusion: forecast.conclusion)
        }
        let (key, spec) = FlagSpec.of(declaration)
        let sealed = SealedCopy(
            declared: seal.declared, script: .init(path: seal.script.path, text: seal.script.text),
            plugins: seal.plugins.map { .init(path: $0.path, text: $0.text) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let endDay = today.number + Int32(declaration.windowDays) - 1
        let experiment = ExperimentRow(
            changeID: declaration.changeID, scriptPath: seal.script.path, sealed: String(decoding: try encoder.encode(sealed), as: UTF8.self),
            seal: seal.hash, cohorts: String(decoding: try encoder.encode(declaration.cohorts), as: UTF8.self), startedAt: startedAt,
            startDay: today.number, endDay: endDay, state: "running")
        let flag = FlagRow(
            key: key, changeID: declaration.changeID, spec: String(decoding: try encoder.encode(spec), as: UTF8.self), state: FlagState.on.rawValue,
            share: spec.split, updatedAt: now)
        let change = FlagChangeRow(flag: key, at: now, actor: actor, state: FlagState.on.rawValue, share: spec.split, reason: "start")
        var overlapping: [String] = []
        let startDetails = StartDetails(
            seal: seal.hash, script: seal.script.path, plugins: seal.plugins.map(\.path), startedAt: utcTime(startedAt),
            windowStart: today.description, windowEnd: LocalDay(number: endDay).description, flag: key, share: spec.split, stamped: 0)
        var audit: [AuditRecordMaker] = []
        if underpowered {
            audit.append(
                AuditTrail.maker(
                    at: now, changeID: declaration.changeID, actor: actor, action: "override-underpowered",
                    details: UnderpoweredDetails(forecast: ForecastDocument(forecast, declaration: declaration))))
        }
        do {
            try store.start(
                experiment, cohorts: declaration.cohorts, flag: flag, change: change,
                check: { stored in
                    if let earlier = stored.first(where: { $0.changeID == declaration.changeID }) {
                        throw LifecycleRefusal(underlying: LifecycleError.changeIDUsed(declaration.changeID, state: earlier.state))
                    }
                    // A flag serves one change, for good: its history and flags.json name that change.
                    if let user = try self.store.flags().first(where: { $0.key == key }) {
                        let state = stored.first { $0.changeID == user.changeID }?.state ?? "started"
                        throw LifecycleRefusal(underlying: LifecycleError.flagInUse(flag: key, by: user.changeID, state: state))
                    }
                    let running = stored.filter { ["running", "throttled"].contains($0.state) }
                    overlapping = running.filter { Self.overlaps(declaration.cohorts, Self.cohorts(of: $0)) }.map(\.changeID)
                    if !overlapping.isEmpty && !force {
                        throw LifecycleRefusal(underlying: LifecycleError.overlap(changeID: declaration.changeID, running: overlapping))
                    }
                },
                audit: { stamped in
                    // After `check`: the override is recorded only when there was an overlap to force.
                    var details = startDetails
                    details.stamped = stamped
                    let start = AuditTrail.maker(at: now, changeID: declaration.changeID, actor: actor, action: "start", details: details)
                    let forced = overlapping.isEmpty
                        ? []
                        : [
                            AuditTrail.maker(
                                at: now, changeID: declaration.changeID, actor: actor, action: "override-overlap",
                                details: ["running": overlapping])
                        ]
                    return [start] + audit + forced
                })
        } catch let refusal as LifecycleRefusal {
            throw refusal.underlying
        }
        try writeFlagsFile()
        return (try status(of: declaration.changeID), forecast)
    }

    /// What the owner can do to a flag by hand.
    public enum FlagAction: Sendable, Equatable {
        /// Back to the design's split (from a throttle).
        case on
        /// Off for everyone: the change is rolled back.
        case off
        /// The treatment for this share of the targeted traffic, below the design's split.
        case throttle(Double)
    }

    /// Changes `changeID`'s flag by hand, with the experiment's state, its record on the audit
    /// trail and `flags.json`; refuses what does not fit the experiment's state.
    @discardableResult
    public func setFlag(_ changeID: String, _ action: FlagAction, reason: String = "manual") throws -> FlagStatus {
        guard let experiment = try store.experiments().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.notStarted(changeID)
        }
        guard ["running", "throttled"].contains(experiment.state) else {
            if experiment.state == "evaluated" {
                throw LifecycleError.notAllowed(
                    "\(changeID) has its verdict and awaits your decision: verdict decide \(changeID) keep|rollback|extend")
            }
            throw LifecycleError.notAllowed(
                "\(changeID) is \(experiment.state.replacingOccurrences(of: "_", with: " ")); its flag no longer changes by hand")
        }
        guard let flag = try store.flags().first(where: { $0.changeID == changeID }) else { throw LifecycleError.notStarted(changeID) }
        let spec = FlagStatus(flag, seal: experiment.seal).spec
        let (state, share, experimentState): (FlagState, Double, String)
        switch action {
        case .on: (state, share, experimentState) = (.on, spec.split, "running")
        case .off: (state, share, experimentState) = (.off, 0, "rolled_back")
        case .throttle(let to):
            guard to > 0, to < spec.split else {
                throw LifecycleError.notAllowed(
                    "throttle takes a share above 0 and below the design's \(FigureText.percent(spec.split, trimmed: true)), such as 0.1")
            }
            (state, share, experimentState) = (.throttled, to, "throttled")
        }
        let now = clock.nowMilliseconds()
        let actor = actor
        let row = try store.changeFlag(
            flag.key, to: FlagChangeRow(flag: flag.key, at: now, actor: actor, state: state.rawValue, share: share, reason: reason),
            experimentState: experimentState,
            audit: { before in
                AuditTrail.maker(
                    at: now, changeID: changeID, actor: actor, action: "flag",
                    details: FlagChangeDetails(
                        flag: flag.key, reason: reason, from: .init(state: before.state, share: before.share),
                        to: .init(state: state.rawValue, share: share)))
            })
        try writeFlagsFile()
        return FlagStatus(row, seal: experiment.seal)
    }

    /// A started experiment loaded from its sealed copy, ready to evaluate.
    public struct SealedExperiment {
        public var declaration: ExperimentDeclaration
        /// The sandbox its sealed script ran in (for custom KPIs).
        public var sandbox: LuaSandbox
        /// The window's first and last local days.
        public var from: LocalDay
        public var to: LocalDay
        /// The sealed files that differ on disk now (or are gone): evaluations still use the seal.
        public var changedFiles: [String]
    }

    /// The started experiment whose script is `scriptPath` (as `experiments/x.lua`), or whose
    /// change_id is `changeID`, loaded from its sealed copy; nil when it was never started.
    public func sealedExperiment(scriptPath: String? = nil, changeID: String? = nil) throws -> SealedExperiment? {
        guard let row = try store.experiments().last(where: { $0.scriptPath == scriptPath || $0.changeID == changeID }) else {
            return nil
        }
        let sealed = try JSONDecoder().decode(SealedCopy.self, from: Data(row.sealed.utf8))
        let sandbox = try workspace.makeSandbox(
            sealedPlugins: Dictionary(sealed.plugins.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first }))
        let declaration = try ExperimentLoader(workspace: workspace).declare(sealed.script.text, chunkName: sealed.script.path, in: sandbox)
        var changed: [String] = []
        for file in [sealed.script] + sealed.plugins {
            let now = workspace.file(atShownPath: file.path).flatMap { try? String(contentsOf: $0, encoding: .utf8) }
            if now != file.text { changed.append(now == nil ? "\(file.path) (gone)" : file.path) }
        }
        return SealedExperiment(
            declaration: declaration, sandbox: sandbox, from: LocalDay(number: row.startDay), to: LocalDay(number: row.endDay),
            changedFiles: changed)
    }

    /// Every started experiment loaded from its sealed copy, oldest first.
    public func sealedExperiments() throws -> [SealedExperiment] {
        try store.experiments().compactMap { try sealedExperiment(changeID: $0.changeID) }
    }

    /// What the owner decides about a change.
    public enum Decision: String, Sendable, CaseIterable, Encodable {
        /// The treatment for everyone it targets.
        case keep
        /// The flag off: the change is rolled back.
        case rollback
        /// One more window under the same seal; the verdict then covers the whole span.
        case extend
        /// Back up from a throttle to the design's split.
        case scale
    }

    /// Records the owner's decision about `changeID`, with what it does to the flag, its record
    /// on the audit trail and `flags.json`. Refuses a decision that does not fit the state, and
    /// one before the window ends unless `early` with a `note` (both recorded).
    ///
    /// A decision after the window has ended stands on a recorded verdict: when none is recorded
    /// for the window yet, the experiment is evaluated first (`evaluate`), so the trail shows
    /// the verdict before the decision.
    @discardableResult
    public func decide(_ changeID: String, _ decision: Decision, note: String? = nil, early: Bool = false) throws -> Decided {
        guard var row = try store.experiments().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.notStarted(changeID)
        }
        var recorded: RecordedVerdict?
        if decision != .scale, ["running", "throttled"].contains(row.state), today.number > Self.verdictWaitsThrough(row) {
            recorded = try evaluate(changeID).verdict
            row = try store.experiments().first { $0.changeID == changeID } ?? row
        }
        let flag = try store.flags().first { $0.changeID == changeID }
        let spec = flag.map { FlagStatus($0, seal: row.seal).spec }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let today = self.today
        let stateWords = row.state.replacingOccurrences(of: "_", with: " ")
        guard ["running", "throttled", "evaluated"].contains(row.state) else {
            throw LifecycleError.notAllowed("\(changeID) is \(stateWords) already; a decision about it is on the record")
        }
        if decision == .scale {
            guard flag?.state == FlagState.throttled.rawValue else {
                throw LifecycleError.notAllowed("\(changeID) is not throttled, so there is nothing to scale back up")
            }
            guard today.number <= row.endDay else {
                throw LifecycleError.notAllowed(
                    "\(changeID)'s window has ended: decide keep, rollback or extend (an extended window can then be scaled)")
            }
        } else if today.number <= Self.verdictWaitsThrough(row) && row.state != "evaluated" {
            guard early else {
                let lagged = Self.verdictWaitsThrough(row) > row.endDay
                    ? " and its outcomes keep arriving until \(LocalDay(number: Self.verdictWaitsThrough(row))) (outcome_lag)" : ""
                throw LifecycleError.notAllowed(
                    "\(changeID)'s window runs until \(LocalDay(number: row.endDay))\(lagged); decide after it, or now with --early and a --note saying why")
            }
            guard !note.isEmpty else { throw LifecycleError.notAllowed("deciding early needs a --note saying why (it is recorded)") }
        }
        let now = clock.nowMilliseconds()
        let actor = actor
        let newState: String
        var endDay: Int32?
        var flagChange: FlagChangeRow?
        switch decision {
        case .keep:
            newState = "kept"
            flagChange = flag.map { FlagChangeRow(flag: $0.key, at: now, actor: actor, state: FlagState.kept.rawValue, share: 1, reason: "decision: keep") }
        case .rollback:
            newState = "rolled_back"
            flagChange = flag.map { FlagChangeRow(flag: $0.key, at: now, actor: actor, state: FlagState.off.rawValue, share: 0, reason: "decision: rollback") }
        case .extend:
            newState = flag?.state == FlagState.throttled.rawValue ? "throttled" : "running"
            endDay = row.endDay + Int32(Self.declaredWindowDays(row))
        case .scale:
            newState = "running"
            flagChange = flag.map {
                FlagChangeRow(flag: $0.key, at: now, actor: actor, state: FlagState.on.rawValue, share: spec?.split ?? $0.share, reason: "decision: scale")
            }
        }
        let finalState = newState, finalEnd = endDay, finalFlag = flagChange
        do {
            try store.decide(
                changeID, decision: decision.rawValue, note: note, early: early && decision != .scale, at: now, actor: actor,
                state: finalState, endDay: finalEnd, flagChange: finalFlag,
                check: Self.unchanged(row, else: "look again and decide"),
                audit: { before in
                    AuditTrail.maker(
                        at: now, changeID: changeID, actor: actor, action: "decision",
                        details: DecisionDetails(
                            decision: decision.rawValue, note: note, early: early && decision != .scale, from: before.state, to: finalState,
                            windowEnd: LocalDay(number: finalEnd ?? before.endDay).description,
                            flag: finalFlag.map { .init(state: $0.state, share: $0.share) }))
                })
        } catch let refusal as LifecycleRefusal {
            throw refusal.underlying
        }
        if flagChange != nil { try writeFlagsFile() }
        return Decided(status: try status(of: changeID), verdict: recorded)
    }

    /// A decision's result: where the experiment stands now, and the verdict recorded on the
    /// way when its window had ended without one.
    public struct Decided: Encodable, Sendable {
        public var status: ExperimentStatus
        public var verdict: RecordedVerdict?
    }

    /// A store check that refuses when the experiment is no longer as `row` was read (another
    /// run changed its state or window meanwhile), saying what to do.
    static func unchanged(_ row: ExperimentRow, else advice: String) -> (ExperimentRow) throws -> Void {
        { stored in
            if stored.state != row.state || stored.endDay != row.endDay {
                throw LifecycleRefusal(underlying: LifecycleError.notAllowed("\(row.changeID) changed meanwhile; \(advice)"))
            }
        }
    }

    /// The longest outcome lag the sealed declaration's KPIs asked for, in days.
    static func outcomeLagDays(_ row: ExperimentRow) -> Int {
        let sealed = try? JSONDecoder().decode(SealedCopy.self, from: Data(row.sealed.utf8))
        guard let declared = sealed.flatMap({ try? JSONDecoder().decode(AnyJSON.self, from: Data($0.declared.utf8)) }) else { return 0 }
        func lag(_ kpi: AnyJSON?) -> Int {
            if case .object(let fields)? = kpi, case .object(let duration)? = fields["outcome_lag"], case .number(let days)? = duration["days"] {
                return Int(days)
            }
            return 0
        }
        var lags = [lag(declared["primary"]), lag(declared["leading"])]
        if case .array(let guardrails)? = declared["guardrails"] { lags += guardrails.map { lag($0) } }
        return lags.max() ?? 0
    }

    /// The last day whose outcomes the verdict waits for: the window's end plus the outcome lag.
    static func verdictWaitsThrough(_ row: ExperimentRow) -> Int32 {
        row.endDay + Int32(outcomeLagDays(row))
    }

    /// The window the sealed declaration asked for, in days.
    static func declaredWindowDays(_ row: ExperimentRow) -> Int {
        let sealed = try? JSONDecoder().decode(SealedCopy.self, from: Data(row.sealed.utf8))
        let declared = sealed.flatMap { try? JSONDecoder().decode(AnyJSON.self, from: Data($0.declared.utf8)) }
        if case .object(let window)? = declared?["window"], case .number(let days)? = window["days"] { return Int(days) }
        return Int(row.endDay - row.startDay) + 1
    }

    /// Whether two cohort lists target some of the same customers (empty is everyone).
    static func overlaps(_ a: [String], _ b: [String]) -> Bool {
        a.isEmpty || b.isEmpty || !Set(a).isDisjoint(with: b)
    }

    static func cohorts(of row: ExperimentRow) -> [String] {
        cohorts(json: row.cohorts)
    }

    /// A stored cohorts column (a JSON array; empty for everyone).
    static func cohorts(json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    /// Every flag with its state.
    public func flags() throws -> [FlagStatus] {
        let seals = Dictionary(uniqueKeysWithValues: try store.experiments().map { ($0.changeID, $0.seal) })
        return try store.flags().map { FlagStatus($0, seal: seals[$0.changeID] ?? "") }
    }

    /// Writes `flags.json` from the flags as stored.
    @discardableResult
    public func writeFlagsFile() throws -> URL {
        try FlagsFile.write(try flags(), in: workspace, at: clock.nowMilliseconds())
    }

    /// A started experiment's status.
    public func status(of changeID: String) throws -> ExperimentStatus {
        guard let row = try store.experiments().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.notStarted(changeID)
        }
        return try status(row, flags: try flags(), verdicts: try store.verdicts(changeID: changeID))
    }

    /// Every started experiment's status, oldest first.
    public func statuses() throws -> [ExperimentStatus] {
        let flags = try flags()
        let verdicts = try store.verdicts()
        return try store.experiments().map { try status($0, flags: flags, verdicts: verdicts) }
    }

    private func status(_ row: ExperimentRow, flags: [FlagStatus], verdicts: [VerdictRow]) throws -> ExperimentStatus {
        let sealed = try JSONDecoder().decode(SealedCopy.self, from: Data(row.sealed.utf8))
        let declared = (try? JSONDecoder().decode(AnyJSON.self, from: Data(sealed.declared.utf8)))
        var title = row.changeID
        if case .string(let text)? = declared?["title"] { title = text }
        let flag = flags.first { $0.changeID == row.changeID }
        let today = self.today
        let windowDays = Int(row.endDay - row.startDay) + 1
        let day = max(0, min(windowDays, Int(today.number - row.startDay) + 1))
        let checkHours: [Int] = {
            guard case .object(let safety)? = declared?["safety"], case .object(let hours)? = safety["check_at"],
                case .array(let list)? = hours["hours"]
            else { return Safety.standard.checkHours }
            return list.compactMap { if case .number(let h) = $0 { Int(h) } else { nil } }
        }()
        let start = Date(timeIntervalSince1970: Double(row.startedAt) / 1000)
        let zone = workspace.timeZone
        let local = { (instant: Date) in EventRecord.format(instant, in: zone) }
        let checks = checkHours.map { start.addingTimeInterval(Double($0) * 3600) }
        let now = clock.now()
        let running = ["running", "throttled"].contains(row.state)
        let next: String
        if row.state == "evaluated" {
            next = "awaiting your decision (verdict decide \(row.changeID) keep|rollback|extend)"
        } else if !running {
            next = "nothing: it is \(row.state.replacingOccurrences(of: "_", with: " "))"
        } else if let check = checks.first(where: { $0 > now }) {
            next = "safety check at \(local(check))"
        } else if today.number <= row.endDay {
            next = "the window ends \(LocalDay(number: row.endDay)) (day \(windowDays) of \(windowDays))"
        } else if today.number <= Self.verdictWaitsThrough(row) {
            next = "outcomes keep arriving until \(LocalDay(number: Self.verdictWaitsThrough(row))) (outcome_lag): the verdict comes after"
        } else {
            next = "the window has ended: the verdict, then your decision"
        }
        var todayText: String?
        if running, let flag {
            let weekday = Self.weekday(today)
            let audience = flag.spec.cohorts.isEmpty ? "everyone" : flag.spec.cohorts.joined(separator: ", ")
            if let seed = flag.spec.scheduleSeed {
                let on = Evaluator.switchbackIsTreatment(day: today.number, seed: seed)
                todayText = "today (\(weekday) \(today)): \(title) \(on ? "ON" : "OFF") for \(audience)"
            } else {
                todayText = "today (\(weekday) \(today)): \(title) \(flag.state == .off ? "OFF" : "ON") for \(FigureText.percent(flag.share, trimmed: true)) of \(audience)"
            }
        }
        return ExperimentStatus(
            changeID: row.changeID, title: title, scriptPath: row.scriptPath, seal: row.seal, state: row.state,
            startedAt: utcTime(row.startedAt), windowStart: LocalDay(number: row.startDay).description,
            windowEnd: LocalDay(number: row.endDay).description, windowDays: windowDays, day: day, flag: flag,
            safetyChecks: checks.map(local), next: next, today: todayText,
            verdict: verdicts.last { $0.changeID == row.changeID }?.outcome)
    }

    static func weekday(_ day: LocalDay) -> String {
        // 1970-01-01 was a Thursday.
        ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int((Int64(day.number) % 7 + 7) % 7)]
    }
}

struct StartDetails: Encodable, Sendable {
    var seal: String
    var script: String
    var plugins: [String]
    var startedAt: String
    var windowStart: String
    var windowEnd: String
    var flag: String
    var share: Double
    /// Stored events that named no change, stamped with this one.
    var stamped: Int

    enum CodingKeys: String, CodingKey {
        case seal, script, plugins, flag, share, stamped
        case startedAt = "started_at", windowStart = "window_start", windowEnd = "window_end"
    }
}

/// A flag's state and share, as audit records give them.
struct FlagPosition: Encodable, Sendable {
    var state: String
    var share: Double
}

struct FlagChangeDetails: Encodable, Sendable {
    var flag: String
    var reason: String
    var from: FlagPosition
    var to: FlagPosition
}

struct DecisionDetails: Encodable, Sendable {
    var decision: String
    var note: String
    var early: Bool
    var from: String
    var to: String
    var windowEnd: String
    var flag: FlagPosition?

    enum CodingKeys: String, CodingKey {
        case decision, note, early, from, to, flag
        case windowEnd = "window_end"
    }
}

struct UnderpoweredDetails: Encodable, Sendable {
    var forecast: ForecastDocument
}
