import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictStats
import VerdictTestSupport

/// The verdict: one pure function of the declaration and the KPI results.
@Suite(.serialized) struct VerdictTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The conversion template: primary lift ≥ 5%; guardrail error rate may rise at most 0.5 pp.
    func declaration(confidence: String = "point") throws -> ExperimentDeclaration {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "Shop", timeZone: "UTC")
        var text = try String(contentsOf: Self.repository.appendingPathComponent("experiments/templates/conversion.lua"), encoding: .utf8)
        text = text.replacingOccurrences(of: "if_inconclusive = \"rollback\",", with: "if_inconclusive = \"rollback\", confidence = \"\(confidence)\",")
        return try ExperimentLoader(workspace: workspace).load(try folder.write(text, to: "experiments/e.lua"))
    }

    func estimate(_ value: Double, _ low: Double, _ high: Double) -> Estimate {
        Estimate(value: value, standardError: (high - low) / 3.92, low: low, high: high, pValue: 0.01)
    }

    func results(
        _ d: ExperimentDeclaration, lift: Estimate, n: Int = 5000, required: Double = 3000, guardrailIncrease: Estimate
    ) -> [KPIResult] {
        [
            KPIResult(
                role: .primary, kpi: d.primary, control: (n, 0.10), treatment: (n, 0.10 * (1 + lift.value)),
                difference: estimate(0.10 * lift.value, 0.10 * lift.low, 0.10 * lift.high), relative: lift, requiredPerArm: required,
                minimumDetectableEffect: 0.04),
            KPIResult(
                role: .guardrail, kpi: d.guardrails[0], control: (n, 0.01), treatment: (n, 0.01 + guardrailIncrease.value),
                difference: guardrailIncrease, relative: nil),
        ]
    }

    @Test func passWhenTheRuleAndEveryGuardrailHold() throws {
        let d = try declaration()
        let verdict = Verdict.decide(d, results: results(d, lift: estimate(0.08, 0.03, 0.13), guardrailIncrease: estimate(0.001, -0.002, 0.004)))
        #expect(verdict.outcome == .pass)
        #expect(verdict.reason == "primary quote_viewed → appointment_booked +8% [+3%, +13%] (rule: lift ≥ 5%); guardrail booking_submit error rate +0.1 pp [-0.2 pp, +0.4 pp] (limit +0.5 pp)")
        #expect(verdict.ruleHolds["quote_viewed → appointment_booked"] == .some(true))
    }

    @Test func failWhenThePrimaryRuleDoesNotHold() throws {
        let d = try declaration()
        let verdict = Verdict.decide(d, results: results(d, lift: estimate(0.02, -0.03, 0.07), guardrailIncrease: estimate(0, -0.002, 0.002)))
        #expect(verdict.outcome == .fail)
        #expect(verdict.reason.hasPrefix("primary quote_viewed → appointment_booked +2% [-3%, +7%] (rule: lift ≥ 5%)"))
    }

    @Test func failWhenAGuardrailBreaks() throws {
        let d = try declaration()
        let verdict = Verdict.decide(d, results: results(d, lift: estimate(0.09, 0.04, 0.14), guardrailIncrease: estimate(0.008, 0.004, 0.012)))
        #expect(verdict.outcome == .fail)
        #expect(verdict.reason.hasPrefix("a guardrail does not hold; "))
        #expect(verdict.reason.hasSuffix("guardrail booking_submit error rate +0.8 pp [+0.4 pp, +1.2 pp] (limit +0.5 pp)"))
    }

    @Test func inconclusiveWhenTheSampleIsTooSmall() throws {
        let d = try declaration()
        let verdict = Verdict.decide(d, results: results(d, lift: estimate(0.02, -0.2, 0.24), n: 400, guardrailIncrease: estimate(0, -0.01, 0.01)))
        #expect(verdict.outcome == .inconclusive)
        #expect(verdict.reason.hasPrefix("sample 400 per arm is below the 3000 the rule needs; "))
        // A big observed lift on a small sample is still inconclusive: no claim without the sample.
        let lucky = Verdict.decide(d, results: results(d, lift: estimate(0.30, 0.01, 0.6), n: 400, guardrailIncrease: estimate(0, -0.01, 0.01)))
        #expect(lucky.outcome == .inconclusive)
    }

    @Test func intervalConfidenceNeedsTheWholeInterval() throws {
        let d = try declaration(confidence: "interval")
        let straddles = Verdict.decide(d, results: results(d, lift: estimate(0.08, 0.01, 0.15), guardrailIncrease: estimate(0, -0.001, 0.001)))
        #expect(straddles.outcome == .inconclusive)
        #expect(straddles.reason.hasPrefix("the interval straddles the rule's threshold; "))
        let clear = Verdict.decide(d, results: results(d, lift: estimate(0.09, 0.06, 0.12), guardrailIncrease: estimate(0, -0.001, 0.001)))
        #expect(clear.outcome == .pass)
        let below = Verdict.decide(d, results: results(d, lift: estimate(0.01, -0.02, 0.04), guardrailIncrease: estimate(0, -0.001, 0.001)))
        #expect(below.outcome == .fail)
        let guardrailUnsure = Verdict.decide(d, results: results(d, lift: estimate(0.09, 0.06, 0.12), guardrailIncrease: estimate(0.003, -0.001, 0.007)))
        #expect(guardrailUnsure.outcome == .inconclusive)
        #expect(guardrailUnsure.reason.hasPrefix("a guardrail cannot be judged yet; "))
    }

    @Test func everyRuleKind() throws {
        let d = try declaration()
        let latency = KPI(name: "p95 booking latency", kind: .quantile(event: "booking_submit", of: .latencyMs, p: 0.95), filter: .init(), better: .lower, rule: nil, maxIncrease: nil)
        func verdict(_ rule: Rule, kpi base: KPI = d.primary, relative: Estimate, difference: Estimate, treatment: Double = 1) -> Verdict.Outcome {
            var kpi = base
            kpi.rule = rule
            var declaration = d
            declaration.primary = kpi
            return Verdict.decide(declaration, results: [
                KPIResult(role: .primary, kpi: kpi, control: (5000, 1), treatment: (5000, treatment), difference: difference, relative: relative, requiredPerArm: 100),
            ]).outcome
        }
        let drop12 = estimate(-0.124, -0.18, -0.07)
        #expect(verdict(.dropAtLeast(0.10), kpi: latency, relative: drop12, difference: estimate(-60, -90, -30)) == .pass)
        #expect(verdict(.dropAtLeast(0.15), kpi: latency, relative: drop12, difference: estimate(-60, -90, -30)) == .fail)
        #expect(verdict(.atMost(200), kpi: latency, relative: drop12, difference: estimate(-60, -90, -30), treatment: 180) == .pass)
        #expect(verdict(.atLeast(0.9), relative: drop12, difference: drop12, treatment: 0.85) == .fail)
        // no_worse_than on a higher-is-better KPI: a 1 pp drop is within a 2 pp margin, a 3 pp drop is not.
        #expect(verdict(.noWorseThan(0.02), relative: estimate(-0.1, -0.2, 0), difference: estimate(-0.01, -0.02, 0)) == .pass)
        #expect(verdict(.noWorseThan(0.02), relative: estimate(-0.3, -0.4, -0.2), difference: estimate(-0.03, -0.04, -0.02)) == .fail)
        #expect(verdict(.allOf([.liftAtLeast(0.05), .atLeast(0.5)]), relative: estimate(0.08, 0.03, 0.13), difference: estimate(0.08, 0.03, 0.13)) == .pass)
        #expect(verdict(.allOf([.liftAtLeast(0.05), .atLeast(2)]), relative: estimate(0.08, 0.03, 0.13), difference: estimate(0.08, 0.03, 0.13)) == .fail)
        #expect(verdict(.anyOf([.liftAtLeast(0.5), .atLeast(0.5)]), relative: estimate(0.08, 0.03, 0.13), difference: estimate(0.08, 0.03, 0.13)) == .pass)
    }
}

/// Rules on a level (`at_least`, `at_most`) judged as the declaration asks: with `confidence =
/// "interval"` on the treatment's whole interval, and with the same minimum-sample safeguard as
/// relative rules. An A/A portfolio (both arms truly 25%, ~120 customers an arm) must pass
/// `at_least(0.27)` at most at its nominal rate.
@Suite struct LevelRuleTests {
    /// The conversion template with its rule replaced.
    func declaration(_ rule: String, confidence: String) throws -> ExperimentDeclaration {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "Shop", timeZone: "UTC")
        var text = try String(contentsOf: VerdictTests.repository.appendingPathComponent("experiments/templates/conversion.lua"), encoding: .utf8)
        text = text.replacingOccurrences(of: "lift_at_least(0.05)", with: rule)
            .replacingOccurrences(of: "if_inconclusive = \"rollback\",", with: "if_inconclusive = \"rollback\", confidence = \"\(confidence)\",")
        return try ExperimentLoader(workspace: workspace).load(try folder.write(text, to: "experiments/e.lua"))
    }

    /// SplitMix64, for draws the test can repeat.
    struct Draws: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    func outcome(_ d: ExperimentDeclaration, control: (Int, Int), treatment: (Int, Int)) -> Verdict.Outcome {
        let result = Evaluator.proportionResult(
            d.primary, role: .primary, control: control, treatment: treatment, alpha: 0.05, power: 0.8)
        return Verdict.decide(d, results: [result]).outcome
    }

    @Test func anAAPortfolioPassesALevelRuleAtMostAtItsNominalRate() throws {
        var draws = Draws(state: 2026)
        for (rule, confidence) in [("at_least(0.27)", "interval"), ("at_least(0.27)", "point"), ("at_most(0.23)", "interval")] {
            let d = try declaration(rule, confidence: confidence)
            var passes = 0
            for _ in 0..<2000 {
                let n0 = Int.random(in: 100...140, using: &draws), n1 = Int.random(in: 100...140, using: &draws)
                let s0 = (0..<n0).filter { _ in Double.random(in: 0..<1, using: &draws) < 0.25 }.count
                let s1 = (0..<n1).filter { _ in Double.random(in: 0..<1, using: &draws) < 0.25 }.count
                if outcome(d, control: (s0, n0), treatment: (s1, n1)) == .pass { passes += 1 }
            }
            // At most 2.5% of 2,000, with room for the draws' own noise (binomial sd 0.35%).
            #expect(Double(passes) / 2000 <= 0.025 + 0.007, "\(rule) with \(confidence) confidence: \(passes) of 2000 passed")
        }
    }

    @Test func aLevelIsJudgedOnTheWholeIntervalWhenAsked() throws {
        let interval = try declaration("at_least(0.27)", confidence: "interval")
        // 9,000 an arm (the rule needs about 7,550 to tell 27% from the control's 25%): 30% has
        // its whole Wilson interval above 27%, and passes; 24% has it below, and fails.
        let big = Evaluator.proportionResult(interval.primary, role: .primary, control: (2250, 9000), treatment: (2700, 9000), alpha: 0.05, power: 0.8)
        #expect(big.requiredPerArm.map { (7000...8000).contains($0) } == true)
        #expect(Verdict.decide(interval, results: [big]).outcome == .pass, "\(Verdict.decide(interval, results: [big]).reason)")
        #expect(outcome(interval, control: (2250, 9000), treatment: (2160, 9000)) == .fail)
        // 27.5% of 9,000 is past 27% on its point, not on its whole interval: inconclusive.
        #expect(outcome(interval, control: (2250, 9000), treatment: (2475, 9000)) == .inconclusive)
        // Far past 27% on a small sample: inconclusive all the same (the minimum sample).
        #expect(outcome(interval, control: (500, 2000), treatment: (800, 2000)) == .inconclusive)
        // 28% of 120: the interval straddles 27%, and the sample is small: inconclusive.
        let small = Evaluator.proportionResult(interval.primary, role: .primary, control: (30, 120), treatment: (34, 120), alpha: 0.05, power: 0.8)
        #expect(small.treatmentInterval.map { $0.low < 0.27 && $0.high > 0.27 } == true)
        let verdict = Verdict.decide(interval, results: [small])
        #expect(verdict.outcome == .inconclusive, "\(verdict.reason)")
        #expect(verdict.reason.hasPrefix("sample 120 per arm is below the "), "\(verdict.reason)")
        // Point confidence: a big sample on the right side passes on the point value.
        let point = try declaration("at_least(0.27)", confidence: "point")
        #expect(outcome(point, control: (2250, 9000), treatment: (2475, 9000)) == .pass)
    }
}
