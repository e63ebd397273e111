import Foundation
import VerdictStats

/// The risk tolerance of recommendations: how much expected loss (relative to control, on the
/// primary KPI) keeping an inconclusive change may carry.
public enum RiskTolerance {
    /// The default: 2%. Chosen on the decisions benchmark (bench/decisions.py), with the exact
    /// Beta posteriors, at about 120 customers per arm: in a simulation of 6,000 changes over
    /// three seeds it kept 67–70% of a portfolio's gain with 1.6–2.0% of its harmful changes
    /// after one week (3.5%: 78% and 3.4%), and 82–84% with 1.7–2.2% after the extension week,
    /// whose tolerance is halved (`Recommendation.make`). The goal: at least 65% and 80% of the
    /// gain, at most 2% of harmful changes kept.
    public static let standard = 0.02
    static let range: ClosedRange<Double> = 0.0001...0.5
    static let expected = "an expected loss from 0.0001 to 0.5 (such as 0.03 for 3%)"
}

/// What the figures say about one KPI under uncertainty: the chance the change beats control,
/// and the expected loss of each choice, as relative changes of the KPI, from the same
/// distribution as the KPI's interval and p-value (`KPIResult.comparison`: exact Beta or Gamma
/// posteriors for rates and counts, the delta method's t for means). "Beats" follows the KPI's
/// direction: for a KPI where lower is better, lower.
public struct KPIRisk: Sendable, Equatable {
    public var chanceToBeatControl: Double
    /// The expected loss of keeping the change: E[max(0, −effect)], how much worse the KPI is on
    /// average, the cases where the change is not worse counting as 0 (unconditional).
    public var expectedLossKeep: Double
    /// The expected loss of rolling back: E[max(0, effect)], how much better the change would
    /// have made it on average, the cases where it is not better counting as 0.
    public var expectedLossRollback: Double

    /// The risk of `result`'s change; nil when the figures cannot tell (an arm without data or
    /// without spread, a control of 0).
    public init?(_ result: KPIResult) {
        guard let comparison = result.comparison else { return nil }
        let lowerIsBetter = result.kpi.better == .lower
        chanceToBeatControl = lowerIsBetter ? 1 - comparison.chanceHigher : comparison.chanceHigher
        expectedLossKeep = lowerIsBetter ? comparison.expectedGain : comparison.expectedDrop
        expectedLossRollback = lowerIsBetter ? comparison.expectedDrop : comparison.expectedGain
    }
}

/// The weekly recommendation beside the verdict: keep, rollback or extend, with its reason in
/// numbers. The verdict says what the sealed rule can claim; the recommendation is a decision
/// under uncertainty, and says when it goes beyond the verdict.
public struct Recommendation: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        case keep, rollback, extend
    }

    public var action: Action
    /// Why, in words and numbers.
    public var reason: String
    /// Whether the action goes beyond what the verdict can claim (an inconclusive verdict
    /// decided by risk).
    public var beyondVerdict: Bool
    /// The risk tolerance it used.
    public var tolerance: Double

    /// Above this chance that the change is worse than control, an inconclusive change is
    /// rolled back rather than extended.
    public static let harmThreshold = 0.8
    /// How many windows an experiment may run (the first and one extension) before an
    /// inconclusive change is rolled back instead of extended again.
    public static let maxWindows = 2

    /// The recommendation for `declaration` given its report's KPI results and verdict over a
    /// span of `windows` windows, keeping an inconclusive change when its expected loss is
    /// below `tolerance` divided by `windows`: each further look at a change that could not be
    /// kept the first time spends what is left of the owner's tolerance, so an extension keeps
    /// only on a tighter risk (without it, a portfolio's harmful changes kept would grow from
    /// about 2% to 3% over the second week on the decisions benchmark).
    ///
    /// - pass: keep; fail: roll back.
    /// - inconclusive: keep when the expected loss of keeping is below the tolerance and no
    ///   guardrail is likely past its limit; roll back when the chance of harm is at least 80%;
    ///   otherwise the declared `if_inconclusive` (an extension at most once).
    public static func make(
        _ declaration: ExperimentDeclaration, results: [KPIResult], verdict: Verdict, tolerance: Double, windows: Int = 1
    ) -> Recommendation {
        switch verdict.outcome {
        case .pass:
            return Recommendation(action: .keep, reason: "the verdict passes: the rule holds", beyondVerdict: false, tolerance: tolerance)
        case .fail:
            return Recommendation(action: .rollback, reason: "the verdict fails", beyondVerdict: false, tolerance: tolerance)
        case .inconclusive:
            break
        }
        let fallback = { (why: String) -> Recommendation in
            var action = Action(rawValue: declaration.ifInconclusive.rawValue) ?? .rollback
            var reason = why + "; so the declared if_inconclusive: \(action.rawValue)"
            if action == .extend && windows >= maxWindows {
                action = .rollback
                reason = why + "; it has run \(windows) windows already, so roll back"
            } else if action == .keep {
                // Keeping what the figures cannot vouch for is the owner's declared choice.
                reason = why + "; the declaration says keep when inconclusive"
            }
            return Recommendation(action: action, reason: reason, beyondVerdict: action == .keep, tolerance: tolerance)
        }
        guard let primary = results.first(where: { $0.role == .primary }), let risk = KPIRisk(primary) else {
            return fallback("the figures cannot tell how likely the change is to help")
        }
        let chance = "the chance it beats control is \(FigureText.percent(risk.chanceToBeatControl, trimmed: true))"
        if 1 - risk.chanceToBeatControl >= harmThreshold {
            return Recommendation(
                action: .rollback, reason: "\(chance): it is more likely to hurt than help", beyondVerdict: true, tolerance: tolerance)
        }
        let allowed = tolerance / Double(max(1, windows))
        let toleranceText = windows > 1
            ? "tolerance \(FigureText.percent(allowed, trimmed: true)): \(FigureText.percent(tolerance, trimmed: true)) over \(windows) windows"
            : "tolerance \(FigureText.percent(tolerance, trimmed: true))"
        let keepRisk = "keeping it risks an expected \(lossText(risk.expectedLossKeep)) on \(primary.kpi.name) (\(toleranceText))"
        if let blocking = results.first(where: { $0.role == .guardrail && likelyPastLimit($0) }) {
            return fallback("\(chance), but guardrail \(blocking.kpi.name) is likely past its limit, so it is not kept")
        }
        if risk.expectedLossKeep < allowed {
            let unjudged = results.filter { $0.role == .guardrail && verdict.ruleHolds[$0.kpi.name] == Bool?.none }.map(\.kpi.name)
            let caveat = unjudged.isEmpty ? "" : "; guardrail \(unjudged.joined(separator: ", ")) cannot be judged yet, so watch it"
            return Recommendation(
                action: .keep,
                reason: "\(chance) and \(keepRisk); the verdict cannot claim the rule, so this keeps it on risk, not proof\(caveat)",
                beyondVerdict: true, tolerance: tolerance)
        }
        return fallback("\(chance), and \(keepRisk)")
    }

    /// Whether a guardrail is more likely than not worse than its limit: its observed change is
    /// past an absolute limit (`max_increase`, `no_worse_than`), or its rule does not hold.
    static func likelyPastLimit(_ guardrail: KPIResult) -> Bool {
        let worse = guardrail.kpi.better == .lower ? 1.0 : -1.0
        let change = guardrail.difference.map(\.value) ?? (guardrail.treatment.value - guardrail.control.value)
        var limits: [Double] = []
        if let increase = guardrail.kpi.maxIncrease { limits.append(increase) }
        if case .noWorseThan(let margin)? = guardrail.kpi.rule { limits.append(margin) }
        return limits.contains { worse * change > $0 }
    }

    static func lossText(_ loss: Double) -> String {
        loss < 0.0005 ? "under 0.1%" : FigureText.percent(loss)
    }
}
