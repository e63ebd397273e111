import Foundation
import VerdictStore

/// A verdict on the record: what the evaluation of a finished window found, under which seal,
/// from which events (docs/lifecycle.md).
public struct RecordedVerdict: Encodable, Sendable {
    public var changeID: String
    /// When it was recorded, UTC.
    public var at: String
    public var actor: String
    /// The window it covers, local days (after an extension, the whole span).
    public var window: ReportDocument.Window
    /// With an outcome lag: the last day whose events it used (the window's end plus the lag).
    public var outcomesThrough: String?
    /// The seal of the copy it was evaluated from.
    public var seal: String
    /// pass, fail or inconclusive.
    public var outcome: String
    /// keep, rollback or extend (`Recommendation`).
    public var recommendation: String?
    /// How many stored events the evaluation used, and their digest (docs/audit.md).
    public var events: Int
    public var digest: String

    enum CodingKeys: String, CodingKey {
        case at, actor, window, seal, outcome, recommendation, events, digest
        case changeID = "change_id", outcomesThrough = "outcomes_through"
    }

    init(_ row: VerdictRow) {
        changeID = row.changeID
        at = utcTime(row.at)
        actor = row.actor
        window = .init(from: LocalDay(number: row.startDay).description, to: LocalDay(number: row.endDay).description)
        seal = row.seal
        outcome = row.outcome
        recommendation = row.recommendation
        events = row.events
        digest = row.digest
    }
}

extension Lifecycle {
    /// Evaluates `changeID` over its finished window from its sealed copy and records the
    /// verdict (its figures, the seal and the digest of the events it used) with its record on
    /// the audit trail; the experiment becomes `evaluated`. Refuses an experiment that is not
    /// running or throttled, or whose window has not ended.
    @discardableResult
    public func evaluate(_ changeID: String) throws -> (evaluated: EvaluatedExperiment, verdict: RecordedVerdict, changedFiles: [String]) {
        let prepared = try prepareVerdict(changeID)
        try record(prepared)
        return (prepared.evaluated, prepared.verdict, prepared.changedFiles)
    }

    /// A verdict computed and not yet recorded: reads only, so several can be prepared at once.
    struct PreparedVerdict: Sendable {
        var row: ExperimentRow
        /// The state the verdict moves the experiment to.
        var state: ExperimentState
        var version: EventStore.EventsVersion
        var stored: VerdictRow
        var verdict: RecordedVerdict
        var document: ReportDocument
        var evaluated: EvaluatedExperiment
        var changedFiles: [String]
    }

    /// Everything `evaluate` does before it writes: the refusals, the digest and the evaluation.
    func prepareVerdict(_ changeID: String) throws -> PreparedVerdict {
        guard let row = try store.experiments().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.notStarted(changeID)
        }
        let move = try LifecycleTable.require(.verdict, from: try state(of: row), changeID: changeID)
        let today = self.today
        guard today.number > row.endDay else {
            throw LifecycleError.verdictNotDue(changeID, until: LocalDay(number: row.endDay).description, outcomeLag: false)
        }
        let waits = Self.verdictWaitsThrough(row)
        guard today.number > waits else {
            throw LifecycleError.verdictNotDue(changeID, until: LocalDay(number: waits).description, outcomeLag: true)
        }
        guard let sealed = try sealedExperiment(changeID: changeID) else { throw LifecycleError.notStarted(changeID) }
        let version = try store.eventsVersion()
        let (digest, events) = try store.windowDigest(changeID, days: row.startDay...waits, into: RowSHA256())
        let evaluated = try ReportRun.evaluate(
            sealed.declaration, store: store, settings: workspace.settings, sandbox: sealed.declaration.hasCustomKPIs ? sealed.sandbox : nil,
            from: sealed.from, to: sealed.to, daily: false)
        let document = ReportDocument(evaluated)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let stored = VerdictRow(
            changeID: changeID, at: clock.nowMilliseconds(), actor: actor, startDay: row.startDay, endDay: row.endDay, seal: row.seal,
            outcome: document.verdict.outcome, recommendation: document.recommendation.action, events: events, digest: digest,
            document: String(decoding: try encoder.encode(document), as: UTF8.self))
        var verdict = RecordedVerdict(stored)
        if waits > row.endDay { verdict.outcomesThrough = LocalDay(number: waits).description }
        return PreparedVerdict(
            row: row, state: move.to, version: version, stored: stored, verdict: verdict, document: document, evaluated: evaluated,
            changedFiles: sealed.changedFiles)
    }

    /// Records a prepared verdict, unless the experiment or the stored events changed since.
    func record(_ prepared: PreparedVerdict) throws {
        let actor = actor, verdict = prepared.verdict, document = prepared.document, at = prepared.stored.at
        let changeID = prepared.row.changeID
        do {
            try store.recordVerdict(
                prepared.stored, eventsVersion: prepared.version, state: prepared.state.rawValue,
                check: Self.unchanged(prepared.row, else: "evaluate it again"),
                audit: { _ in
                    AuditTrail.maker(
                        at: at, changeID: changeID, actor: actor, action: "verdict",
                        details: VerdictDetails(verdict: verdict, report: document))
                })
        } catch let refusal as LifecycleRefusal {
            throw refusal.underlying
        }
    }

    /// `document` as every surface shows it: with the verdict and the recommendation recorded
    /// for its window when there is one (with its date, and today's verdict beside it only when
    /// that differs), else as computed; and, for a started change, its timeline.
    public func onRecord(_ document: ReportDocument) throws -> ReportDocument {
        var document = document
        try document.standOnRecord(try store.verdicts(changeID: document.changeID))
        document.timeline = try timeline(of: document.changeID)
        return document
    }

    /// Every recorded verdict, oldest first; only `changeID`'s when given.
    public func verdicts(changeID: String? = nil) throws -> [RecordedVerdict] {
        try store.verdicts(changeID: changeID).map(RecordedVerdict.init)
    }
}

struct VerdictDetails: Encodable, Sendable {
    var verdict: RecordedVerdict
    /// The figures, with the verdict's reason.
    var report: ReportDocument

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(verdict.outcome, forKey: .outcome)
        try c.encodeIfPresent(verdict.recommendation, forKey: .recommendation)
        try c.encode(verdict.window, forKey: .window)
        try c.encodeIfPresent(verdict.outcomesThrough, forKey: .outcomesThrough)
        try c.encode(verdict.seal, forKey: .seal)
        try c.encode(verdict.events, forKey: .events)
        try c.encode(verdict.digest, forKey: .digest)
        try c.encode(report, forKey: .report)
    }

    enum CodingKeys: String, CodingKey {
        case outcome, recommendation, window, seal, events, digest, report
        case outcomesThrough = "outcomes_through"
    }
}
