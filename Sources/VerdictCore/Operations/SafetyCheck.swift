import Foundation
import VerdictStats

/// One KPI at one safety check: whether its treatment is worse than its limit beyond doubt, on
/// the few events of the first days.
public struct SafetyFinding: Encodable, Sendable {
    public enum Status: String, Encodable, Sendable {
        /// Within its limit (or not shown to be past it).
        case ok
        /// Past its limit beyond doubt.
        case breach
        /// Too few events to count yet.
        case waiting
    }

    public var kpi: String
    public var role: String
    public var status: Status
    /// Both arms' sample and value.
    public var control: ReportDocument.Arm
    public var treatment: ReportDocument.Arm
    /// The limit it is held to, in words (`+0.5 pp`, `no significant drop`).
    public var limit: String
    /// What the test found, in words with the figures.
    public var words: String

    enum CodingKeys: String, CodingKey {
        case kpi, role, status, control, treatment, limit, words
    }
}

/// The test of the early safety checks: small samples, a one-sided question ("is the change
/// worse than its limit?"), and a false alarm that throttles a good change. So a KPI breaches
/// only when the whole one-sided 95% interval of its worsening is past the limit:
///
/// - proportions (conversion, error rate): Newcombe's hybrid score interval of the difference,
///   which keeps its coverage with a handful of events and rates near 0, against `max_increase`
///   or `no_worse_than`'s margin, else against no change;
/// - means: Welch's interval of the difference, likewise;
/// - counts and rates per event: the difference's interval from the arms' Gamma posteriors, in
///   the KPI's own unit, against `max_increase` or `no_worse_than`'s margin, else against no
///   change;
/// - `at_most` / `at_least` on a proportion: the treatment's Wilson interval against the value.
///
/// A KPI counts only with at least `minimumEvents` in both arms together; until then it waits.
enum SafetyTest {
    static let alpha = 0.1  // two-sided 90%: one-sided 95% on the worse side

    static func check(_ result: KPIResult, minimumEvents: Int) -> SafetyFinding {
        let arms = ReportDocument.arms(result)
        var finding = SafetyFinding(
            kpi: result.kpi.name, role: result.role.rawValue, status: .ok, control: arms.control, treatment: arms.treatment,
            limit: limitText(result), words: "")
        let events = result.control.n + result.treatment.n
        guard events >= minimumEvents else {
            finding.status = .waiting
            finding.words = "waiting: \(events) of \(minimumEvents) events"
            return finding
        }
        let worseIsUp = result.kpi.better == .lower
        let limit = limitValue(result)
        switch result.kpi.kind {
        case .conversion, .errorRate,
            .custom where result.summaries != nil && isProportion(result):
            let successes = { (n: Int, value: Double) in Int((value * Double(n)).rounded()) }
            guard
                let interval = Compare.newcombeDifference(
                    control: (successes(result.control.n, result.control.value), result.control.n),
                    treatment: (successes(result.treatment.n, result.treatment.value), result.treatment.n), alpha: alpha)
            else { return waiting(finding, "no events in an arm yet") }
            if case .atMost(let value)? = result.kpi.rule {
                let wilson = Compare.wilson(
                    successes: successes(result.treatment.n, result.treatment.value), trials: result.treatment.n, alpha: alpha)
                return judged(finding, breach: wilson.low > value, "\(percent(result.treatment.value)) [\(percent(wilson.low)), \(percent(wilson.high))]")
            }
            if case .atLeast(let value)? = result.kpi.rule {
                let wilson = Compare.wilson(
                    successes: successes(result.treatment.n, result.treatment.value), trials: result.treatment.n, alpha: alpha)
                return judged(finding, breach: wilson.high < value, "\(percent(result.treatment.value)) [\(percent(wilson.low)), \(percent(wilson.high))]")
            }
            let worseningLow = worseIsUp ? interval.low : -interval.high
            let text = "\(result.kpi.shownChange(interval.difference)) [\(result.kpi.shownChange(interval.low)), \(result.kpi.shownChange(interval.high))]"
            return judged(finding, breach: worseningLow > (limit ?? 0), text)
        case .mean, .quantile:
            guard let difference = result.difference, difference.low.isFinite else { return waiting(finding, "no spread to test yet") }
            let z = Normal.quantile(1 - alpha / 2) / Normal.quantile(0.975)  // rescale the report's 95% half-width
            let half = (difference.high - difference.value) * z
            let worsening = worseIsUp ? (difference.value, difference.value - half) : (-difference.value, -difference.value - half)
            let change = difference.value
            return judged(
                finding, breach: worsening.1 > (limit ?? 0),
                "\(result.kpi.shownChange(change)) [\(result.kpi.shownChange(change - half)), \(result.kpi.shownChange(change + half))]")
        case .count, .dailyCount, .rate:
            guard let posterior = result.posterior, let change = result.absoluteChange else {
                return waiting(finding, "no exposure in an arm yet")
            }
            let low = posterior.differenceQuantile(alpha / 2), high = posterior.differenceQuantile(1 - alpha / 2)
            let worseningLow = worseIsUp ? low : -high
            let text = "\(result.kpi.shownChange(change)) [\(result.kpi.shownChange(low)), \(result.kpi.shownChange(high))]"
            return judged(finding, breach: worseningLow > (limit ?? 0), text)
        default:
            guard let relative = result.relative, relative.low.isFinite, relative.high.isFinite else {
                return waiting(finding, "no events to compare yet")
            }
            let breach = worseIsUp ? relative.low > 0 : relative.high < 0
            return judged(finding, breach: breach, "\(FigureText.percent(relative.value, signed: true)) [\(FigureText.percent(relative.low, signed: true)), \(FigureText.percent(relative.high, signed: true))]")
        }
    }

    static func isProportion(_ result: KPIResult) -> Bool {
        guard let (a, _) = result.summaries else { return false }
        return a.variance == a.mean * (1 - a.mean)
    }

    static func waiting(_ finding: SafetyFinding, _ why: String) -> SafetyFinding {
        var finding = finding
        finding.status = .waiting
        finding.words = "waiting: \(why)"
        return finding
    }

    static func judged(_ finding: SafetyFinding, breach: Bool, _ figures: String) -> SafetyFinding {
        var finding = finding
        finding.status = breach ? .breach : .ok
        finding.words = breach ? "past its limit (\(finding.limit)): \(figures)" : "within its limit (\(finding.limit)): \(figures)"
        return finding
    }

    /// The absolute worsening allowed, if the KPI declares one.
    static func limitValue(_ result: KPIResult) -> Double? {
        if let increase = result.kpi.maxIncrease { return increase }
        if case .noWorseThan(let margin)? = result.kpi.rule { return margin }
        return nil
    }

    static func limitText(_ result: KPIResult) -> String {
        if case .atMost(let value)? = result.kpi.rule { return "at most \(result.kpi.shownLevel(value))" }
        if case .atLeast(let value)? = result.kpi.rule { return "at least \(result.kpi.shownLevel(value))" }
        guard let limit = limitValue(result) else { return "no significant \(result.kpi.better == .lower ? "rise" : "drop")" }
        return "\(result.kpi.better == .lower ? "+" : "-")\(result.kpi.shownMargin(limit))"
    }

    static func percent(_ x: Double) -> String { FigureText.percent(x) }
}
