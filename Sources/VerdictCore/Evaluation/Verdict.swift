import Foundation
import VerdictStats

/// One KPI's figures for one experiment and window: what the verdict is decided from.
public struct KPIResult: Sendable, Equatable {
    /// Which part the KPI plays.
    public enum Role: String, Sendable, Equatable {
        case primary, leading, guardrail
    }

    /// The part it plays.
    public var role: Role
    /// The declared KPI.
    public var kpi: KPI
    /// The control arm: its sample size and value (a rate, a mean, a quantile, a count).
    public var control: (n: Int, value: Double)
    /// The treatment arm.
    public var treatment: (n: Int, value: Double)
    /// Treatment minus control, with its interval.
    public var difference: Estimate?
    /// Treatment / control - 1, with its interval.
    public var relative: Estimate?
    /// The sample each arm needs for the rule's threshold at the declared power, if known.
    public var requiredPerArm: Double?
    /// The smallest relative change this sample can detect at the declared power, if known.
    public var minimumDetectableEffect: Double?
    /// Each arm as n, mean and variance, where that summarizes it (a proportion, a mean, a
    /// count as a Poisson rate): what the chance to beat control and the risks are computed from.
    public var summaries: (control: ArmSummary, treatment: ArmSummary)?
    /// The chance the treatment's value is higher than the control's, and the expected gain and
    /// drop of the relative change: drawn from the same distribution as `relative`'s interval and
    /// p-value, so none of them can contradict another (nil where there is none).
    public var comparison: Comparison?
    /// The two arms' exact posteriors behind `relative`, `difference` and `comparison`, for a
    /// rate or a count: what a check at another level (the safety checks' 90%) asks again.
    public var posterior: TwoArmPosterior?

    /// What a KPI's one distribution of the change says beyond its interval.
    public struct Comparison: Sendable, Equatable {
        /// P(treatment's value > control's).
        public var chanceHigher: Double
        /// E[max(0, relative change)] and E[max(0, −relative change)].
        public var expectedGain: Double
        public var expectedDrop: Double

        public init(chanceHigher: Double, expectedGain: Double, expectedDrop: Double) {
            self.chanceHigher = chanceHigher
            self.expectedGain = expectedGain
            self.expectedDrop = expectedDrop
        }

        /// From two arms' exact posteriors; nil when the relative change has no size.
        init?(_ posterior: TwoArmPosterior?) {
            guard let posterior, let gain = posterior.expectedGain, let drop = posterior.expectedDrop else { return nil }
            self.init(chanceHigher: posterior.chanceHigher, expectedGain: gain, expectedDrop: drop)
        }

        /// From a relative change's t (or normal, without degrees of freedom) distribution,
        /// centred on its estimate with its standard error: the confidence distribution its
        /// interval and p-value come from.
        init?(_ relative: Estimate?) {
            guard let relative, relative.value.isFinite, relative.standardError.isFinite, relative.standardError > 0 else { return nil }
            let m = relative.value / relative.standardError, se = relative.standardError
            if let dof = relative.degreesOfFreedom {
                let t = StudentT(degreesOfFreedom: dof)
                guard let gain = t.positivePart(shift: m), let drop = t.positivePart(shift: -m) else { return nil }
                self.init(chanceHigher: t.cdf(m), expectedGain: se * gain, expectedDrop: se * drop)
            } else {
                guard let normal = BayesianComparison.relative(estimate: relative.value, variance: se * se) else { return nil }
                self.init(chanceHigher: normal.chanceToWin, expectedGain: normal.riskOfControl, expectedDrop: normal.riskOfTreatment)
            }
        }
    }

    /// The relative change to show: the estimate's, else the arms' point values (one
    /// observation, no spread) where the control's is not 0. Nil without a comparison.
    public var relativeChange: Double? {
        if let relative, relative.value.isFinite { return relative.value }
        guard control.n > 0, treatment.n > 0, control.value != 0, control.value.isFinite, treatment.value.isFinite else { return nil }
        return treatment.value / control.value - 1
    }

    /// The absolute change to show: the estimate's, else the arms' point values.
    public var absoluteChange: Double? {
        if let difference, difference.value.isFinite { return difference.value }
        guard control.n > 0, treatment.n > 0, control.value.isFinite, treatment.value.isFinite else { return nil }
        return treatment.value - control.value
    }

    /// Why there is a change but no interval, in words (nil when there is an interval, or no
    /// change to show).
    public var noIntervalReason: String? {
        guard relative == nil, relativeChange != nil else { return nil }
        if min(control.n, treatment.n) < 2 { return "one observation in an arm" }
        return "no spread in either arm"
    }

    /// The treatment's own value with its interval (Wilson for a proportion, t for a mean, the
    /// exact Poisson one for a count or a rate per event): what `at_least` and `at_most` are
    /// judged against with `confidence = "interval"`. Nil where none is honest (one observation).
    public var treatmentInterval: (low: Double, high: Double)?

    public init(
        role: Role, kpi: KPI, control: (n: Int, value: Double), treatment: (n: Int, value: Double), difference: Estimate?,
        relative: Estimate?, requiredPerArm: Double? = nil, minimumDetectableEffect: Double? = nil
    ) {
        self.role = role
        self.kpi = kpi
        self.control = control
        self.treatment = treatment
        self.difference = difference
        self.relative = relative
        self.requiredPerArm = requiredPerArm
        self.minimumDetectableEffect = minimumDetectableEffect
    }

    /// The p-value shown beside the relative interval: of the same test.
    public var pValue: Double? { relative?.pValue ?? difference?.pValue }

    /// Where the relative interval, the p-value, the chance and the expected losses all come
    /// from, by KPI kind.
    public var test: String? {
        switch kpi.kind {
        case .conversion, .errorRate: return relative == nil ? nil : Self.betaPosteriors
        case .mean: return relative == nil ? nil : "delta method (Welch t)"
        case .count, .dailyCount, .rate: return relative == nil ? nil : "Gamma posteriors (flat prior)"
        case .quantile: return relative == nil ? nil : "bootstrap"
        case .custom: return summaries == nil || relative == nil ? nil : Self.betaPosteriors
        }
    }

    static let betaPosteriors = "Beta posteriors (uniform prior)"

    public static func == (a: KPIResult, b: KPIResult) -> Bool {
        a.role == b.role && a.kpi == b.kpi && a.control == b.control && a.treatment == b.treatment
            && a.difference == b.difference && a.relative == b.relative && a.requiredPerArm == b.requiredPerArm
            && a.minimumDetectableEffect == b.minimumDetectableEffect && a.summaries?.control == b.summaries?.control
            && a.summaries?.treatment == b.summaries?.treatment && a.treatmentInterval?.low == b.treatmentInterval?.low
            && a.treatmentInterval?.high == b.treatmentInterval?.high && a.comparison == b.comparison
    }
}

/// The computed outcome of an experiment, with the reason in words and numbers.
public struct Verdict: Sendable, Equatable {
    /// Pass, fail or inconclusive.
    public enum Outcome: String, Sendable, Equatable {
        case pass, fail, inconclusive
    }

    /// The outcome.
    public var outcome: Outcome
    /// Why, with the figures: `primary p95 latency -12.4% (rule: drop ≥ 10%); guardrail error rate +0.2 pp (limit 0.5 pp)`.
    public var reason: String
    /// Whether each KPI's rule or limit holds, by KPI name (nil: undecided).
    public var ruleHolds: [String: Bool?]

    /// The verdict for `declaration` given its KPIs' results: pass when the primary rule and
    /// every guardrail hold; fail when one does not; inconclusive when the primary's sample is
    /// below what the rule needs, or (with `confidence = "interval"`) its interval straddles
    /// the threshold.
    ///
    /// A KPI that reads an event name no stored event has (`unknownEvents`) is not judged on its
    /// zeros: the primary makes the verdict inconclusive, a guardrail cannot hold, and the reason
    /// names the missing event instead of a statistical cause.
    public static func decide(
        _ declaration: ExperimentDeclaration, results: [KPIResult], unknownEvents: [UnknownEventName] = []
    ) -> Verdict {
        var parts: [String] = []
        var holds: [String: Bool?] = [:]
        guard let primary = results.first(where: { $0.role == .primary }), let rule = primary.kpi.rule else {
            return Verdict(outcome: .inconclusive, reason: "no figures for the primary KPI", ruleHolds: [:])
        }
        let missing = { (result: KPIResult) in unknownEvents.filter { $0.kpi == result.kpi.name && $0.role == result.role.rawValue } }
        if !missing(primary).isEmpty {
            let reasons = missing(primary).map(\.description).joined(separator: "; ")
            return Verdict(
                outcome: .inconclusive,
                reason: "\(reasons): the primary KPI cannot be measured; fix the name in the script or send those events",
                ruleHolds: [primary.kpi.name: Bool?.none])
        }
        let interval = declaration.confidence == .interval
        let primaryHolds = RuleCheck(result: primary, interval: interval).holds(rule)
        holds[primary.kpi.name] = primaryHolds
        parts.append("primary \(primary.kpi.name) \(describeChange(primary)) (rule: \(ruleText(rule, primary.kpi)))")

        var guardrailFailed = false
        var guardrailUndecided = false
        for guardrail in results where guardrail.role == .guardrail {
            if !missing(guardrail).isEmpty {
                holds[guardrail.kpi.name] = Bool?.none
                guardrailUndecided = true
                parts.append(contentsOf: missing(guardrail).map(\.description))
                continue
            }
            let check = RuleCheck(result: guardrail, interval: interval)
            var verdicts: [Bool?] = []
            var limitText: [String] = []
            if let limit = guardrail.kpi.maxIncrease {
                verdicts.append(check.increaseAtMost(limit))
                limitText.append("limit +\(guardrail.kpi.shownMargin(limit))")
            }
            if let rule = guardrail.kpi.rule {
                verdicts.append(check.holds(rule))
                limitText.append("rule: \(ruleText(rule, guardrail.kpi))")
            }
            let holdsAll: Bool? = verdicts.contains(false) ? false : (verdicts.contains(nil) ? nil : true)
            holds[guardrail.kpi.name] = holdsAll
            if holdsAll == false { guardrailFailed = true }
            if holdsAll == nil { guardrailUndecided = true }
            parts.append("guardrail \(guardrail.kpi.name) \(describeAbsolute(guardrail)) (\(limitText.joined(separator: "; ")))")
        }

        let underpowered = primary.requiredPerArm.map { Double(min(primary.control.n, primary.treatment.n)) < $0 } ?? false
        let outcome: Outcome
        if guardrailFailed {
            outcome = .fail
            parts.insert("a guardrail does not hold", at: 0)
        } else if primaryHolds == false && !underpowered {
            outcome = .fail
        } else if underpowered, let required = primary.requiredPerArm {
            outcome = .inconclusive
            parts.insert(
                "sample \(min(primary.control.n, primary.treatment.n)) per arm is below the \(Int(required.rounded(.up))) the rule needs", at: 0)
        } else if primaryHolds == nil {
            outcome = .inconclusive
            parts.insert(undecided(primary), at: 0)
        } else if guardrailUndecided {
            outcome = .inconclusive
            parts.insert("a guardrail cannot be judged yet", at: 0)
        } else {
            outcome = .pass
        }
        return Verdict(outcome: outcome, reason: parts.joined(separator: "; "), ruleHolds: holds)
    }

    /// Why the primary's rule cannot be judged, in words: missing figures first, else the
    /// interval that straddles the threshold.
    static func undecided(_ primary: KPIResult) -> String {
        switch (primary.control.n, primary.treatment.n) {
        case (0, 0): return "no events in either arm yet"
        case (0, _): return "no events in the control arm yet"
        case (_, 0): return "no events in the treatment arm yet"
        default: break
        }
        if primary.relative == nil, primary.control.value == 0, primary.kpi.rule.map(Self.isRelative) == true {
            return "no control events to compare with: a relative change needs a control above 0"
        }
        if let why = primary.noIntervalReason { return "no interval: \(why)" }
        return "the interval straddles the rule's threshold"
    }

    static func isRelative(_ rule: Rule) -> Bool {
        switch rule {
        case .liftAtLeast, .dropAtLeast: true
        case .allOf(let rules), .anyOf(let rules): rules.contains(where: isRelative)
        default: false
        }
    }

    private static func describeChange(_ result: KPIResult) -> String {
        if let relative = result.relative {
            return "\(signedPercent(relative.value)) [\(signedPercent(relative.low)), \(signedPercent(relative.high))]"
        }
        if let change = result.relativeChange, let why = result.noIntervalReason {
            return "\(signedPercent(change)) (no interval: \(why))"
        }
        if result.control.n > 0, result.control.value == 0, result.treatment.n > 0 {
            return "\(describeAbsolute(result)) (no control events to compare with, so no relative change)"
        }
        return describeAbsolute(result)
    }

    private static func describeAbsolute(_ result: KPIResult) -> String {
        if let difference = result.difference, difference.low.isFinite, difference.high.isFinite {
            return "\(result.kpi.shownChange(difference.value)) [\(result.kpi.shownChange(difference.low)), \(result.kpi.shownChange(difference.high))]"
        }
        if let change = result.absoluteChange { return result.kpi.shownChange(change) }
        return "\(result.kpi.shown(result.treatment.value)) vs \(result.kpi.shown(result.control.value))"
    }

    /// A rule in words, with its levels and margins in the KPI's own unit (`lift ≥ 5%`,
    /// `no worse than 2 pp`, `≤ 800 ms`, `no worse than $150`).
    public static func ruleText(_ rule: Rule, _ kpi: KPI) -> String {
        switch rule {
        case .liftAtLeast(let x): "lift ≥ \(percent(x))"
        case .dropAtLeast(let x): "drop ≥ \(percent(x))"
        case .atLeast(let v): "≥ \(kpi.shownLevel(v))"
        case .atMost(let v): "≤ \(kpi.shownLevel(v))"
        case .noWorseThan(let m): "no worse than \(kpi.shownMargin(m))"
        case .allOf(let rules): rules.map { ruleText($0, kpi) }.joined(separator: " and ")
        case .anyOf(let rules): rules.map { ruleText($0, kpi) }.joined(separator: " or ")
        }
    }

    static func percent(_ x: Double) -> String { FigureText.percent(x, trimmed: true) }
    static func signedPercent(_ x: Double) -> String { FigureText.percent(x, signed: true, trimmed: true) }

}

/// Judges a rule on one KPI's result: true (holds), false (does not), nil (cannot tell: with
/// `interval`, the interval straddles the threshold; or a figure is missing).
struct RuleCheck {
    let result: KPIResult
    let interval: Bool

    func holds(_ rule: Rule) -> Bool? {
        switch rule {
        case .liftAtLeast(let x): return compare(result.relative, atLeast: x)
        case .dropAtLeast(let x): return compare(result.relative.map(negated), atLeast: x)
        case .atLeast(let v): return value(atLeast: v)
        case .atMost(let v): return value(atMost: v)
        case .noWorseThan(let margin):
            // The worsening: how much worse the treatment is than the control, in the KPI's sense.
            guard let difference = result.difference else { return nil }
            let worsening = result.kpi.better == .higher ? negated(difference) : difference
            return compare(worsening, atMost: margin)
        case .allOf(let rules):
            let values = rules.map(holds)
            return values.contains(false) ? false : (values.contains(nil) ? nil : true)
        case .anyOf(let rules):
            let values = rules.map(holds)
            return values.contains(true) ? true : (values.contains(nil) ? nil : false)
        }
    }

    /// A guardrail's `max_increase`: the absolute increase stays within the limit.
    func increaseAtMost(_ limit: Double) -> Bool? {
        compare(result.difference, atMost: limit)
    }

    /// The treatment's value against a level: its point value, or with `interval` its whole
    /// interval (nil when the interval straddles the level, or there is none).
    private func value(atLeast level: Double) -> Bool? {
        guard interval else { return result.treatment.value >= level }
        guard let range = result.treatmentInterval else { return nil }
        return range.low >= level ? true : (range.high < level ? false : nil)
    }

    private func value(atMost level: Double) -> Bool? {
        guard interval else { return result.treatment.value <= level }
        guard let range = result.treatmentInterval else { return nil }
        return range.high <= level ? true : (range.low > level ? false : nil)
    }

    private func compare(_ estimate: Estimate?, atLeast threshold: Double) -> Bool? {
        guard let estimate else { return nil }
        if !interval { return estimate.value >= threshold }
        if estimate.low >= threshold { return true }
        if estimate.high < threshold { return false }
        return nil
    }

    private func compare(_ estimate: Estimate?, atMost threshold: Double) -> Bool? {
        guard let estimate else { return nil }
        if !interval { return estimate.value <= threshold }
        if estimate.high <= threshold { return true }
        if estimate.low > threshold { return false }
        return nil
    }

    private func negated(_ e: Estimate) -> Estimate {
        Estimate(value: -e.value, standardError: e.standardError, low: -e.high, high: -e.low, pValue: e.pValue, degreesOfFreedom: e.degreesOfFreedom)
    }
}

extension KPIResult {
    /// Each arm's own value with its interval (95% unless `alpha` says otherwise), for charts:
    /// a proportion's by Wilson's score method, a mean's or a Poisson rate's by the normal
    /// approximation on its summary. Nil when the KPI has no summary (a quantile, most custom
    /// KPIs) or an arm is empty.
    public func armIntervals(alpha: Double = 0.05) -> (control: (low: Double, high: Double), treatment: (low: Double, high: Double))? {
        guard let summaries, summaries.control.n > 0, summaries.treatment.n > 0 else { return nil }
        let proportion: Bool
        switch kpi.kind {
        case .conversion, .errorRate: proportion = true
        case .custom: proportion = summaries.control.variance == summaries.control.mean * (1 - summaries.control.mean)
        default: proportion = false
        }
        func interval(_ arm: ArmSummary) -> (low: Double, high: Double) {
            if proportion {
                return Compare.wilson(successes: Int((arm.mean * Double(arm.n)).rounded()), trials: arm.n, alpha: alpha)
            }
            let half = Normal.quantile(1 - alpha / 2) * (arm.variance / Double(arm.n)).squareRoot()
            return (arm.mean - half, arm.mean + half)
        }
        return (interval(summaries.control), interval(summaries.treatment))
    }
}
