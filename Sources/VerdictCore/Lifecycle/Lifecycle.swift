import Foundation
import VerdictScript
import VerdictStore

/// Why the lifecycle refused an action, in words that say what to do; each refusal is its own
/// case, so a program can match it.
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
    /// `follows` names a change that is not rolled back (nil: never started).
    case cannotFollow(String, follows: String, state: ExperimentState?)
    /// The transition table has no move for `action` from `state`; `allowed` is what a person
    /// can do instead.
    case refused(changeID: String, state: ExperimentState, action: LifecycleAction, allowed: [LifecycleAction])
    /// A stored state this version does not know.
    case unknownState(String)
    /// A stored record that cannot be read back as what it should be.
    case unreadable(String)
    /// A throttle's share must be above 0 and below the design's split.
    case throttleShare(split: Double)
    /// `scale` needs a throttled flag.
    case notThrottled(String)
    /// `scale` inside an experiment is for its window.
    case windowEnded(String)
    /// A decision before the window (and its outcome lag) has ended needs `--early`.
    case windowStillOpen(String, windowEnd: String, outcomesUntil: String?)
    /// The action is recorded with a reason, and none was given.
    case noteNeeded(String)
    /// The verdict is due only once the window and its outcome lag are over.
    case verdictNotDue(String, until: String, outcomeLag: Bool)
    /// Another run changed the experiment between reading and writing it.
    case changedMeanwhile(String, advice: String)

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
            "the flag \(flag) belongs to \(change) (\(state.replacingOccurrences(of: "_", with: " "))); give this change a flag of its own, "
                + "or, to try \(change) again once it is rolled back, declare follows = \"\(change)\""
        case .notStarted(let change):
            "\(change) has not been started (verdict start NAME)"
        case .cannotFollow(let change, let follows, let state):
            "\(change) is not started: follows names \(follows), which "
                + (state.map { "is \($0); a change is tried again only once the earlier one is rolled back" } ?? "was never started")
        case .refused(let change, let state, let action, let allowed):
            "\(change) is \(state): \(action) does not apply to it. "
                + (allowed.isEmpty
                    ? "Nothing more is done to it by hand; to try the change again, start a new experiment with its own change_id and follows = \"\(change)\"."
                    : "What can be done now: \(allowed.map { "verdict \(Self.command($0, change, reversal: state.isServedAfterDecision))" }.joined(separator: ", ")).")
        case .unknownState(let state):
            "the store holds an experiment state this version of Verdict does not know: \"\(state)\""
        case .unreadable(let what):
            what
        case .throttleShare(let split):
            "throttle takes a share above 0 and below the design's \(FigureText.percent(split, trimmed: true)), such as 0.1"
        case .notThrottled(let change):
            "\(change) is not throttled, so there is nothing to scale back up"
        case .windowEnded(let change):
            "\(change)'s window has ended: decide keep, rollback or extend (an extended window can then be scaled)"
        case .windowStillOpen(let change, let end, let until):
            "\(change)'s window runs until \(end)\(until.map { " and its outcomes keep arriving until \($0) (outcome_lag)" } ?? ""); "
                + "decide after it, or now with --early and a --note saying why"
        case .noteNeeded(let what):
            "\(what) needs a --note saying why (it is recorded)"
        case .verdictNotDue(let change, let until, let lag):
            lag
                ? "\(change)'s outcomes keep arriving until \(until) (outcome_lag); its verdict comes after"
                : "\(change)'s window runs until \(until); its verdict comes after"
        case .changedMeanwhile(let change, let advice):
            "\(change) changed meanwhile; \(advice)"
        }
    }

    /// The command that takes `action` on `change`, as a person types it after `verdict`.
    /// A reversal (rolling back a kept change) takes a note.
    static func command(_ action: LifecycleAction, _ change: String, reversal: Bool) -> String {
        let note = reversal ? " --note WHY" : ""
        return switch action {
        case .throttle: "flag \(change) throttle SHARE"
        case .flagOn: "flag \(change) on"
        case .flagOff: "flag \(change) off\(note)"
        case .rollback: "decide \(change) rollback\(note)"
        case .keep, .extend, .scale: "decide \(change) \(action.rawValue)"
        default: "\(action)"
        }
    }
}

/// A started experiment as `start` and `status` show it.
public struct ExperimentStatus: Encodable, Sendable {
    public var changeID: String
    public var title: String
    public var scriptPath: String
    public var seal: String
    public var state: ExperimentState
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
    /// For a change people carry out: the customer lists handed out, and how many customers they
    /// meant to get the change (each customer by their latest list), for intention to treat.
    public var lists: Lists?

    public struct Lists: Encodable, Sendable, Equatable {
        public var handedOut: Int
        public var control: Int
        public var treatment: Int

        enum CodingKeys: String, CodingKey {
            case control, treatment
            case handedOut = "handed_out"
        }
    }

    enum CodingKeys: String, CodingKey {
        case title, seal, state, day, flag, next, today, verdict, lists
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
            startDay: today.number, endDay: endDay, state: LifecycleTable.transition(from: .drafted, .start)!.to.rawValue)
        let flag = FlagRow(
            key: key, changeID: declaration.changeID, spec: String(decoding: try encoder.encode(spec), as: UTF8.self), state: FlagState.on.rawValue,
            share: spec.split, updatedAt: now)
        let change = FlagChangeRow(flag: key, at: now, actor: actor, state: FlagState.on.rawValue, share: spec.split, reason: "start")
        var overlapping: [String] = []
        let startDetails = StartDetails(
            seal: seal.hash, script: seal.script.path, plugins: seal.plugins.map(\.path), startedAt: utcTime(startedAt),
            windowStart: today.description, windowEnd: LocalDay(number: endDay).description, flag: key, share: spec.split, stamped: 0,
            follows: declaration.follows)
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
                    // A change tried again follows a rolled-back one, and may take over its flag.
                    if let follows = declaration.follows {
                        let earlier = try stored.first { $0.changeID == follows }.map { try self.state(of: $0) }
                        guard let earlier, earlier == .rolledBack || earlier == .reversed else {
                            throw LifecycleRefusal(underlying: LifecycleError.cannotFollow(declaration.changeID, follows: follows, state: earlier))
                        }
                    }
                    // Otherwise a flag serves one change, for good: its history and flags.json name that change.
                    if let user = try self.store.flags().first(where: { $0.key == key }), user.changeID != declaration.follows {
                        let state = stored.first { $0.changeID == user.changeID }?.state ?? ExperimentState.started.rawValue
                        throw LifecycleRefusal(underlying: LifecycleError.flagInUse(flag: key, by: user.changeID, state: state))
                    }
                    let running = try stored.filter { try self.state(of: $0).isLive }
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
    /// trail and `flags.json`; refuses what the transition table does not allow from the
    /// experiment's state. Turning a kept change's flag off is a reversal of that decision: it
    /// is recorded as `decide rollback` is, and needs `note`.
    @discardableResult
    public func setFlag(_ changeID: String, _ action: FlagAction, reason: String = "manual", note: String? = nil) throws -> FlagStatus {
        guard let experiment = try store.experiments().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.notStarted(changeID)
        }
        let lifecycleAction: LifecycleAction = switch action {
        case .on: .flagOn
        case .off: .flagOff
        case .throttle: .throttle
        }
        let flag = try store.flags().first { $0.changeID == changeID }
        let move = try LifecycleTable.require(
            lifecycleAction, from: try state(of: experiment), changeID: changeID, flagThrottled: flag?.state == FlagState.throttled.rawValue)
        if move.to == .reversed {
            try decide(changeID, .rollback, note: note)
            return try flags().first { $0.changeID == changeID }!
        }
        guard let flag else { throw LifecycleError.notStarted(changeID) }
        let spec = try FlagStatus(flag, seal: experiment.seal).spec
        var throttleTo: Double?
        if case .throttle(let to) = action {
            guard to > 0, to < spec.split else { throw LifecycleError.throttleShare(split: spec.split) }
            throttleTo = to
        }
        let now = clock.nowMilliseconds()
        let actor = actor
        guard
            let change = Self.flagChange(
                move, flag: flag.key, share: flag.share, split: spec.split, throttleTo: throttleTo, at: now, actor: actor, reason: reason)
        else { return try FlagStatus(flag, seal: experiment.seal) }
        let row = try store.changeFlag(
            flag.key, to: change, experimentState: move.to.rawValue,
            check: Self.unchanged(experiment, else: "look again and change the flag then"),
            audit: { before in
                AuditTrail.maker(
                    at: now, changeID: changeID, actor: actor, action: "flag",
                    details: FlagChangeDetails(
                        flag: flag.key, reason: reason, from: .init(state: before.state, share: before.share),
                        to: .init(state: change.state, share: change.share)))
            })
        try writeFlagsFile()
        return try FlagStatus(row, seal: experiment.seal)
    }

    /// The flag's change `move` makes, or nil when it leaves the flag as it is: the design's
    /// split, a throttle to `throttleTo`, off, or kept for everyone targeted.
    static func flagChange(
        _ move: Transition, flag: String, share current: Double, split: Double, throttleTo: Double?, at time: Int64, actor: String,
        reason: String
    ) -> FlagChangeRow? {
        let (state, share): (FlagState, Double)
        switch move.flag {
        case .split: (state, share) = (.on, split)
        case .throttle: (state, share) = (.throttled, throttleTo ?? current)
        case .off: (state, share) = (.off, 0)
        case .keep: (state, share) = (.kept, 1)
        case .unchanged: return nil
        }
        return FlagChangeRow(flag: flag, at: time, actor: actor, state: state.rawValue, share: share, reason: reason)
    }

    /// The state `row` is in today: as stored, moved on by the clock (a started change whose
    /// first day is over is running).
    func state(of row: ExperimentRow) throws -> ExperimentState {
        let stored = try ExperimentState(stored: row.state)
        if stored == .started, row.startDay < today.number, let move = LifecycleTable.transition(from: .started, .windowOpens) {
            return move.to
        }
        return stored
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
        if decision != .scale, try state(of: row).isLive, today.number > Self.verdictWaitsThrough(row) {
            recorded = try evaluate(changeID).verdict
            row = try store.experiments().first { $0.changeID == changeID } ?? row
        }
        let current = try state(of: row)
        let action: LifecycleAction = switch decision {
        case .keep: .keep
        case .rollback: .rollback
        case .extend: .extend
        case .scale: .scale
        }
        let flag = try store.flags().first { $0.changeID == changeID }
        let move = try LifecycleTable.require(
            action, from: current, changeID: changeID, flagThrottled: flag?.state == FlagState.throttled.rawValue)
        let spec = try flag.map { try FlagStatus($0, seal: row.seal).spec }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let today = self.today
        if decision == .scale {
            guard flag?.state == FlagState.throttled.rawValue else { throw LifecycleError.notThrottled(changeID) }
            guard !current.isLive || today.number <= row.endDay else { throw LifecycleError.windowEnded(changeID) }
        } else if current.isLive && today.number <= Self.verdictWaitsThrough(row) {
            guard early else {
                let waits = Self.verdictWaitsThrough(row)
                throw LifecycleError.windowStillOpen(
                    changeID, windowEnd: LocalDay(number: row.endDay).description,
                    outcomesUntil: waits > row.endDay ? LocalDay(number: waits).description : nil)
            }
            guard !note.isEmpty else { throw LifecycleError.noteNeeded("deciding early") }
        }
        // Rolling back a kept change reverses the decision that kept it.
        var reverses: DecisionDetails.Reversed?
        if move.to == .reversed {
            guard !note.isEmpty else { throw LifecycleError.noteNeeded("rolling back a kept change") }
            let earlier = try store.auditRows(changeID: changeID).last { $0.action == "decision" }
            reverses = earlier.map { .init(seq: $0.seq, at: utcTime($0.at), decision: Self.decision(in: $0.details) ?? "keep") }
        }
        let isEarly = early && decision != .scale && current.isLive
        let now = clock.nowMilliseconds()
        let actor = actor
        let endDay: Int32? = decision == .extend ? row.endDay + Int32(Self.declaredWindowDays(row)) : nil
        let flagChange = flag.flatMap {
            Self.flagChange(
                move, flag: $0.key, share: $0.share, split: spec?.split ?? $0.share, throttleTo: nil, at: now, actor: actor,
                reason: "decision: \(decision.rawValue)")
        }
        do {
            try store.decide(
                changeID, decision: decision.rawValue, note: note, early: isEarly, at: now, actor: actor,
                state: move.to.rawValue, endDay: endDay, flagChange: flagChange,
                check: Self.unchanged(row, else: "look again and decide"),
                audit: { before in
                    AuditTrail.maker(
                        at: now, changeID: changeID, actor: actor, action: "decision",
                        details: DecisionDetails(
                            decision: decision.rawValue, note: note, early: isEarly, from: before.state, to: move.to.rawValue,
                            windowEnd: LocalDay(number: endDay ?? before.endDay).description,
                            flag: flagChange.map { .init(state: $0.state, share: $0.share) }, reverses: reverses))
                })
        } catch let refusal as LifecycleRefusal {
            throw refusal.underlying
        }
        if flagChange != nil { try writeFlagsFile() }
        return Decided(status: try status(of: changeID), verdict: recorded)
    }

    /// The decision an audit record's details name.
    static func decision(in details: String) -> String? {
        struct Named: Decodable { var decision: String }
        return try? JSONDecoder().decode(Named.self, from: Data(details.utf8)).decision
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
                throw LifecycleRefusal(underlying: LifecycleError.changedMeanwhile(row.changeID, advice: advice))
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
        return try store.flags().map { try FlagStatus($0, seal: seals[$0.changeID] ?? "") }
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
        return try status(row, flags: try flags(), verdicts: try store.verdicts(changeID: changeID), lists: try store.assignmentCounts())
    }

    /// Every started experiment's status, oldest first.
    public func statuses() throws -> [ExperimentStatus] {
        let flags = try flags()
        let verdicts = try store.verdicts()
        let lists = try store.assignmentCounts()
        return try store.experiments().map { try status($0, flags: flags, verdicts: verdicts, lists: lists) }
    }

    private func status(
        _ row: ExperimentRow, flags: [FlagStatus], verdicts: [VerdictRow], lists: [String: (lists: Int, customers: [String: Int])]
    ) throws -> ExperimentStatus {
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
        let state = try state(of: row)
        let running = state.isLive
        let next: String
        if state == .evaluated {
            next = "awaiting your decision (verdict decide \(row.changeID) keep|rollback|extend)"
        } else if state == .kept || state == .ended {
            next = "nothing: it is \(state); to reverse it: verdict decide \(row.changeID) rollback --note WHY"
        } else if !running {
            next = "nothing: it is \(state)"
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
            changeID: row.changeID, title: title, scriptPath: row.scriptPath, seal: row.seal, state: state,
            startedAt: utcTime(row.startedAt), windowStart: LocalDay(number: row.startDay).description,
            windowEnd: LocalDay(number: row.endDay).description, windowDays: windowDays, day: day, flag: flag,
            safetyChecks: checks.map(local), next: next, today: todayText,
            verdict: verdicts.last { $0.changeID == row.changeID }?.outcome,
            // (Once a later change has taken over its flag, its variants are that change's: no counts.)
            lists: lists[row.changeID].flatMap { counts in
                flag.map {
                    ExperimentStatus.Lists(
                        handedOut: counts.lists, control: counts.customers[$0.spec.control] ?? 0,
                        treatment: counts.customers[$0.spec.treatment] ?? 0)
                }
            })
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
    /// The rolled-back change this one tries again (absent otherwise).
    var follows: String?

    enum CodingKeys: String, CodingKey {
        case seal, script, plugins, flag, share, stamped, follows
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
    /// The decision a rollback of a kept change reverses (absent otherwise, as `flag` when nil).
    var reverses: Reversed?

    struct Reversed: Encodable, Sendable {
        /// The earlier decision's audit record.
        var seq: Int64
        var at: String
        var decision: String
    }

    enum CodingKeys: String, CodingKey {
        case decision, note, early, from, to, flag, reverses
        case windowEnd = "window_end"
    }
}

struct UnderpoweredDetails: Encodable, Sendable {
    var forecast: ForecastDocument
}
