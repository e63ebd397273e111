import Foundation
import Testing
@testable import VerdictCore
import VerdictStats

/// The recommendation: one pure function of the declaration, the KPI results and the verdict,
/// for each verdict and each KPI kind.
@Suite struct RecommendationTests {
    let tests = VerdictTests()

    /// A conversion primary at contractor scale: `x0` and `x1` bookings of 120 customers an arm.
    func conversion(_ d: ExperimentDeclaration, _ x0: Int, _ x1: Int, n: Int = 120) -> KPIResult {
        let a = ArmSummary.proportion(successes: x0, trials: n), b = ArmSummary.proportion(successes: x1, trials: n)
        var result = KPIResult(
            role: .primary, kpi: d.primary, control: (n, a.mean), treatment: (n, b.mean),
            difference: Compare.proportionDifference(control: (x0, n), treatment: (x1, n)), relative: Compare.relativeLift(control: a, treatment: b),
            requiredPerArm: 20000)
        result.summaries = (a, b)
        return result
    }

    /// The template's error-rate guardrail (at most +0.5 pp), with `e0` and `e1` errors of 2,000 submits.
    func errorRate(_ d: ExperimentDeclaration, _ e0: Int, _ e1: Int) -> KPIResult {
        let a = ArmSummary.proportion(successes: e0, trials: 2000), b = ArmSummary.proportion(successes: e1, trials: 2000)
        var result = KPIResult(
            role: .guardrail, kpi: d.guardrails[0], control: (2000, a.mean), treatment: (2000, b.mean),
            difference: Compare.proportionDifference(control: (e0, 2000), treatment: (e1, 2000)), relative: Compare.relativeLift(control: a, treatment: b))
        result.summaries = (a, b)
        return result
    }

    func recommend(_ d: ExperimentDeclaration, _ results: [KPIResult], windows: Int = 1) -> Recommendation {
        Recommendation.make(d, results: results, verdict: Verdict.decide(d, results: results), tolerance: 0.03, windows: windows)
    }

    @Test func passKeepsAndFailRollsBackWithoutGoingBeyondTheVerdict() throws {
        let d = try tests.declaration()
        let pass = tests.results(d, lift: tests.estimate(0.08, 0.06, 0.10), guardrailIncrease: tests.estimate(0, -0.001, 0.001))
        #expect(recommend(d, pass) == Recommendation(action: .keep, reason: "the verdict passes: the rule holds", beyondVerdict: false, tolerance: 0.03))
        let fail = tests.results(d, lift: tests.estimate(0.08, 0.06, 0.10), guardrailIncrease: tests.estimate(0.008, 0.006, 0.010))
        #expect(recommend(d, fail).action == .rollback && !recommend(d, fail).beyondVerdict)
    }

    @Test func anInconclusiveConversionIsDecidedByRisk() throws {
        var d = try tests.declaration()
        let calm = errorRate(d, 20, 21)
        // 25% → 35%: likely better, and keeping it risks little.
        let helpful = recommend(d, [conversion(d, 30, 42), calm])
        #expect(Verdict.decide(d, results: [conversion(d, 30, 42), calm]).outcome == .inconclusive)
        #expect(helpful.action == .keep && helpful.beyondVerdict)
        #expect(helpful.reason.contains("the chance it beats control is") && helpful.reason.contains("(tolerance 3%)"))
        #expect(helpful.reason.contains("on risk, not proof"))
        // 25% → 15%: likely harmful, rolled back whatever if_inconclusive says.
        d.ifInconclusive = .extend
        let harmful = recommend(d, [conversion(d, 30, 18), calm])
        #expect(harmful.action == .rollback && harmful.beyondVerdict && harmful.reason.contains("more likely to hurt than help"))
        // 25% → 26%: too close to call, so the declared if_inconclusive: extend, once.
        let unsure = recommend(d, [conversion(d, 30, 31), calm])
        #expect(unsure.action == .extend && !unsure.beyondVerdict && unsure.reason.contains("if_inconclusive: extend"))
        let again = recommend(d, [conversion(d, 60, 62, n: 240), calm], windows: 2)
        #expect(again.action == .rollback && again.reason.contains("2 windows already"))
        d.ifInconclusive = .rollback
        #expect(recommend(d, [conversion(d, 30, 31), calm]).action == .rollback)
        // A looser tolerance keeps what a tight one extends.
        let loose = Recommendation.make(
            d, results: [conversion(d, 30, 31), calm], verdict: Verdict.decide(d, results: [conversion(d, 30, 31), calm]), tolerance: 0.2)
        #expect(loose.action == .keep)
    }

    @Test func aGuardrailPastItsLimitBlocksKeep() throws {
        // Judged on intervals: errors rose 0.6 pp on a 0.5 pp limit, and the interval straddles it.
        let d = try tests.declaration(confidence: "interval")
        // The primary alone would be kept.
        let results = [conversion(d, 30, 42), errorRate(d, 20, 32)]
        #expect(Verdict.decide(d, results: results).outcome == .inconclusive)
        let blocked = recommend(d, results)
        #expect(blocked.action == .rollback && blocked.reason.contains("guardrail booking_submit error rate is likely past its limit"))
    }

    @Test func riskFollowsEachKPIKindAndDirection() throws {
        let d = try tests.declaration()
        // Error rate: lower is better, so fewer errors beat control.
        let fewer = try #require(KPIRisk(errorRate(d, 40, 20)))
        #expect(fewer.chanceToBeatControl > 0.99 && fewer.expectedLossKeep < fewer.expectedLossRollback)
        // A mean (revenue per job), from its summaries.
        var revenue = KPIResult(
            role: .primary, kpi: KPI(name: "mean job value", kind: .mean(event: "job_completed", of: .value), filter: .init(), better: .higher, rule: .liftAtLeast(0.05), maxIncrease: nil),
            control: (100, 300), treatment: (100, 330), difference: nil, relative: nil)
        revenue.summaries = (ArmSummary(n: 100, mean: 300, variance: 10000), ArmSummary(n: 100, mean: 330, variance: 12000))
        let mean = try #require(KPIRisk(revenue))
        let reference = try #require(BayesianComparison.relative(control: revenue.summaries!.control, treatment: revenue.summaries!.treatment))
        #expect(mean.chanceToBeatControl == reference.chanceToWin && mean.expectedLossKeep == reference.riskOfTreatment)
        // A count as Poisson rates: 70 against 100 events over 3.5 days of exposure each.
        let (c, t) = try #require(Evaluator.poisson((70, 3.5), (100, 3.5)))
        #expect(c.mean == 20 && t.mean == 100 / 3.5 && abs(c.variance / Double(c.n) - 70 / (3.5 * 3.5)) < 1e-12)
        var clicks = KPIResult(
            role: .leading, kpi: d.leading, control: (70, 20), treatment: (100, 100 / 3.5), difference: nil, relative: nil)
        clicks.summaries = (c, t)
        let count = try #require(KPIRisk(clicks))
        // The delta-method relative variance of two Poisson rates: 1/c1·(r1/r0)² + 1/c0·(r1/r0)².
        let ratio = (100 / 3.5) / 20.0
        let sd = (ratio * ratio / 100 + ratio * ratio / 70).squareRoot()
        #expect(abs(count.chanceToBeatControl - Normal.cdf((ratio - 1) / sd)) < 1e-12)
        // A quantile has no summaries: its bootstrap estimate and standard error stand in.
        let latency = KPIResult(
            role: .guardrail, kpi: KPI(name: "p95", kind: .quantile(event: "x", of: .latencyMs, p: 0.95), filter: .init(), better: .lower, rule: nil, maxIncrease: 50),
            control: (400, 900), treatment: (400, 800), difference: nil,
            relative: Estimate(value: -0.111, standardError: 0.05, low: -0.21, high: -0.01, pValue: 0.03))
        #expect(abs(try #require(KPIRisk(latency)).chanceToBeatControl - Normal.cdf(0.111 / 0.05)) < 1e-12)
        // No data: nothing to say.
        #expect(KPIRisk(conversion(d, 0, 5)) == nil)
    }

    @Test func noFiguresFollowsTheDeclaration() throws {
        var d = try tests.declaration()
        d.ifInconclusive = .extend
        let empty = recommend(d, [conversion(d, 0, 0), errorRate(d, 0, 0)])
        #expect(empty.action == .extend && empty.reason.hasPrefix("the figures cannot tell"))
    }
}

/// The README's three examples of a recommendation are what `Recommendation` says for their counts.
@Suite struct ReadmeRecommendationTests {
    @Test func theReadmeExamplesAreTheFunctionsWords() throws {
        let tests = RecommendationTests()
        var d = try tests.tests.declaration()
        d.ifInconclusive = .extend
        let readme = try String(contentsOf: VerdictTests.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let calm = tests.errorRate(d, 20, 20)
        for (control, treatment, action) in [(30, 40, "keep"), (30, 18, "rollback"), (30, 32, "extend")] {
            let results = [tests.conversion(d, control, treatment), calm]
            let recommendation = Recommendation.make(
                d, results: results, verdict: Verdict.decide(d, results: results), tolerance: RiskTolerance.standard)
            #expect(recommendation.action.rawValue == action)
            let line = "\(action.uppercased()) — \(recommendation.reason)"
            #expect(readme.contains(line), "README.md should show: \(line)")
        }
    }
}
