import Foundation
import VerdictStats
import VerdictStore

/// An experiment report as JSON: `verdict report --json`, and what the dashboard and the server
/// show. Field names are documented in docs/report-json.md and stable; a number that does not
/// exist (an interval that cannot be computed, an infinite ratio) is null.
public struct ReportDocument: Encodable, Sendable {
    public var changeID: String
    public var window: Window
    /// With an outcome lag: the last day whose outcomes count.
    public var outcomesThrough: String?
    /// The verdict: the recorded one once a verdict is on record for this window (with
    /// `recorded_at`), else what today's figures give.
    public var verdict: VerdictPart
    /// The recommendation beside it: the recorded one with a recorded verdict.
    public var recommendation: RecommendationPart
    /// With a recorded verdict: what today's data would give, when that differs from the record
    /// (late events, a corrected import); null otherwise. It never replaces the record.
    public var verdictFromToday: VerdictPart?
    /// What keeping the change is worth in money (`ValueEffect`); null without job or invoice values.
    public var value: ValueEffect?
    /// For a started change: how fast customers felt it and how fast it recovered (`Timeline`);
    /// null otherwise.
    public var timeline: Timeline?
    public var srm: SRM?
    public var unknownEvents: [UnknownEventName]
    public var kpis: [KPIPart]
    /// The same KPIs within each declared cohort, when there are two or more (no rule is
    /// judged per cohort: the verdict is the whole window's).
    public var cohorts: [CohortPart]

    public struct CohortPart: Encodable, Sendable {
        public var cohort: String
        public var kpis: [KPIPart]
    }

    public struct Window: Encodable, Sendable {
        public var from: String
        public var to: String
    }

    public struct VerdictPart: Codable, Sendable, Equatable {
        public var outcome: String
        public var reason: String
        /// When the verdict was recorded (UTC); null for figures not on record.
        public var recordedAt: String?

        enum CodingKeys: String, CodingKey {
            case outcome, reason
            case recordedAt = "recorded_at"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(reason, forKey: .reason)
            try c.encode(recordedAt, forKey: .recordedAt)
        }
    }

    public struct RecommendationPart: Codable, Sendable, Equatable {
        /// keep, rollback or extend.
        public var action: String
        public var reason: String
        /// True when it goes beyond what the verdict can claim (kept or rolled back on risk).
        public var beyondVerdict: Bool
        public var riskTolerance: Double

        enum CodingKeys: String, CodingKey {
            case action, reason
            case beyondVerdict = "beyond_verdict", riskTolerance = "risk_tolerance"
        }
    }

    public struct SRM: Encodable, Sendable {
        public var statistic: Number
        public var pValue: Number
        public var mismatch: Bool
        /// False when an arm has too few units to judge (`ExperimentReport.sampleRatioMinimumPerArm`).
        public var judged: Bool

        enum CodingKeys: String, CodingKey {
            case statistic, mismatch, judged
            case pValue = "p_value"
        }
    }

    public struct Arm: Encodable, Sendable {
        public var n: Int
        public var value: Number
        /// The arm's own interval, where the report gives one (the treatment's, in `kpis[]`):
        /// what `at_least` and `at_most` are judged on with `confidence = "interval"`.
        public var ciLow: Number?
        public var ciHigh: Number?

        init(n: Int, value: Number, ciLow: Number? = nil, ciHigh: Number? = nil) {
            self.n = n
            self.value = value
            self.ciLow = ciLow
            self.ciHigh = ciHigh
        }

        enum CodingKeys: String, CodingKey {
            case n, value
            case ciLow = "ci_low", ciHigh = "ci_high"
        }
    }

    public struct Arms: Encodable, Sendable {
        public var control: Arm
        public var treatment: Arm
    }

    public struct Difference: Encodable, Sendable {
        public var absolute: Number
        public var relative: Number
        public var ciLow: Number
        public var ciHigh: Number
        public var absoluteCILow: Number
        public var absoluteCIHigh: Number
        /// The p-value of the absolute interval's own test (for means, Welch's t; for rates and
        /// counts the same posterior tail as the KPI's `p_value`).
        public var absolutePValue: Number

        enum CodingKeys: String, CodingKey {
            case absolute, relative
            case ciLow = "ci_low", ciHigh = "ci_high", absoluteCILow = "absolute_ci_low", absoluteCIHigh = "absolute_ci_high"
            case absolutePValue = "absolute_p_value"
        }
    }

    public struct Day: Encodable, Sendable {
        public var day: String
        public var control: Arm
        public var treatment: Arm
        public var relative: Number
        public var ciLow: Number
        public var ciHigh: Number

        enum CodingKeys: String, CodingKey {
            case day, control, treatment, relative
            case ciLow = "ci_low", ciHigh = "ci_high"
        }
    }

    public struct KPIPart: Encodable, Sendable {
        public var role: String
        public var name: String
        public var arms: Arms
        public var difference: Difference
        public var pValue: Number
        /// The test the relative interval and the p-value both come from.
        public var test: String?
        public var mde: Number
        public var requiredPerArm: Number
        /// The chance the change beats control, and the expected loss of keeping it and of
        /// rolling it back (`KPIRisk`); null when the figures cannot tell.
        public var chanceToBeatControl: Number
        public var expectedLossKeep: Number
        public var expectedLossRollback: Number
        /// True, false, or nil (null) when it cannot be judged; absent for the leading indicator.
        public var ruleHolds: Bool??
        /// With `--daily`.
        public var daily: [Day]?

        enum CodingKeys: String, CodingKey {
            case role, name, arms, difference, mde, daily, test
            case pValue = "p_value", requiredPerArm = "required_per_arm", ruleHolds = "rule_holds"
            case chanceToBeatControl = "chance_to_beat_control", expectedLossKeep = "expected_loss_keep"
            case expectedLossRollback = "expected_loss_rollback"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(name, forKey: .name)
            try c.encode(arms, forKey: .arms)
            try c.encode(difference, forKey: .difference)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(test, forKey: .test)
            try c.encode(mde, forKey: .mde)
            try c.encode(requiredPerArm, forKey: .requiredPerArm)
            try c.encode(chanceToBeatControl, forKey: .chanceToBeatControl)
            try c.encode(expectedLossKeep, forKey: .expectedLossKeep)
            try c.encode(expectedLossRollback, forKey: .expectedLossRollback)
            if let ruleHolds { try c.encode(ruleHolds, forKey: .ruleHolds) }
            try c.encodeIfPresent(daily, forKey: .daily)
        }
    }

    /// A number, or null when it is missing or not finite.
    public struct Number: Encodable, Sendable, Equatable {
        public var value: Double?

        public init(_ value: Double?) {
            self.value = value.flatMap { $0.isFinite ? $0 : nil }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            if let value { try container.encode(value) } else { try container.encodeNil() }
        }
    }

    enum CodingKeys: String, CodingKey {
        case window, verdict, recommendation, srm, kpis, cohorts
        case changeID = "change_id", unknownEvents = "unknown_events", outcomesThrough = "outcomes_through"
        case verdictFromToday = "verdict_from_today", value, timeline
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(changeID, forKey: .changeID)
        try c.encode(window, forKey: .window)
        try c.encode(outcomesThrough, forKey: .outcomesThrough)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(recommendation, forKey: .recommendation)
        try c.encode(verdictFromToday, forKey: .verdictFromToday)
        try c.encode(value, forKey: .value)
        try c.encode(timeline, forKey: .timeline)
        try c.encodeIfPresent(srm, forKey: .srm)
        try c.encode(unknownEvents, forKey: .unknownEvents)
        try c.encode(kpis, forKey: .kpis)
        try c.encode(cohorts, forKey: .cohorts)
    }

    /// The document of one evaluated experiment.
    public init(_ evaluated: EvaluatedExperiment) {
        let report = evaluated.report
        changeID = report.changeID
        window = Window(from: report.from.description, to: report.to.description)
        outcomesThrough = report.outcomesThrough?.description
        verdict = VerdictPart(outcome: report.verdict.outcome.rawValue, reason: report.verdict.reason, recordedAt: nil)
        recommendation = RecommendationPart(
            action: report.recommendation.action.rawValue, reason: report.recommendation.reason,
            beyondVerdict: report.recommendation.beyondVerdict, riskTolerance: report.recommendation.tolerance)
        value = report.value
        srm = report.sampleRatioMismatch.map {
            SRM(statistic: Number($0.statistic), pValue: Number($0.pValue), mismatch: report.hasSampleRatioMismatch, judged: report.sampleRatioJudged)
        }
        unknownEvents = report.unknownEvents
        kpis = report.kpis.enumerated().map { index, result in
            Self.part(
                result, ruleHolds: report.verdict.ruleHolds[result.kpi.name],
                daily: index < evaluated.days.count ? evaluated.days[index] : nil)
        }
        cohorts = report.cohorts.map { cohort, results in
            CohortPart(cohort: cohort, kpis: results.map { Self.part($0, ruleHolds: nil, daily: nil) })
        }
    }

    /// The document with its verdict and recommendation as recorded, when `records` (the
    /// change's recorded verdicts) hold one for this window: the record stands, with its date,
    /// and today's verdict is kept beside it only where it differs. Throws when that record's
    /// figures cannot be read.
    mutating func standOnRecord(_ records: [VerdictRow]) throws {
        guard let row = records.last(where: {
            $0.changeID == changeID && LocalDay(number: $0.startDay).description == window.from
                && LocalDay(number: $0.endDay).description == window.to
        }) else { return }
        struct Stored: Decodable {
            var verdict: VerdictPart
            var recommendation: RecommendationPart
        }
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: Data(row.document.utf8))
        } catch {
            throw RecordError.unreadable("the verdict on \(changeID) recorded at \(utcTime(row.at))", error)
        }
        let today = verdict
        verdict = stored.verdict
        verdict.recordedAt = utcTime(row.at)
        recommendation = stored.recommendation
        verdictFromToday = today.outcome != stored.verdict.outcome || today.reason != stored.verdict.reason ? today : nil
    }

    /// One KPI's part: its figures, its risks, and its days when given.
    static func part(_ result: KPIResult, ruleHolds: Bool??, daily: [(day: LocalDay, result: KPIResult)]?) -> KPIPart {
        let risk = KPIRisk(result)
        var arms = Self.arms(result)
        arms.treatment.ciLow = Number(result.treatmentInterval?.low)
        arms.treatment.ciHigh = Number(result.treatmentInterval?.high)
        return KPIPart(
            role: result.role.rawValue, name: result.kpi.name, arms: arms,
            difference: Difference(
                absolute: Number(result.absoluteChange), relative: Number(result.relativeChange),
                ciLow: Number(result.relative?.low), ciHigh: Number(result.relative?.high),
                absoluteCILow: Number(result.difference?.low), absoluteCIHigh: Number(result.difference?.high),
                absolutePValue: Number(result.difference?.pValue)),
            pValue: Number(result.pValue), test: result.test,
            mde: Number(result.minimumDetectableEffect), requiredPerArm: Number(result.requiredPerArm),
            chanceToBeatControl: Number(risk?.chanceToBeatControl), expectedLossKeep: Number(risk?.expectedLossKeep),
            expectedLossRollback: Number(risk?.expectedLossRollback),
            ruleHolds: ruleHolds,
            daily: daily?.map { day, result in
                Day(
                    day: day.description, control: Self.arms(result).control, treatment: Self.arms(result).treatment,
                    relative: Number(result.relativeChange), ciLow: Number(result.relative?.low),
                    ciHigh: Number(result.relative?.high))
            })
    }

    static func arms(_ result: KPIResult) -> Arms {
        Arms(
            control: Arm(n: result.control.n, value: Number(result.control.value)),
            treatment: Arm(n: result.treatment.n, value: Number(result.treatment.value)))
    }
}

/// A stored record that cannot be read back.
public enum RecordError: Error, CustomStringConvertible {
    case unreadable(String, any Error)

    public var description: String {
        switch self {
        case .unreadable(let what, let error): "\(what) cannot be read: \(error)"
        }
    }
}
