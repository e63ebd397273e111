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
        var result = Evaluator.proportionResult(d.primary, role: .primary, control: (x0, n), treatment: (x1, n), alpha: 0.05, power: 0.8)
        result.requiredPerArm = 20000
        return result
    }

    /// The template's error-rate guardrail (at most +0.5 pp), with `e0` and `e1` errors of 2,000 submits.
    func errorRate(_ d: ExperimentDeclaration, _ e0: Int, _ e1: Int) -> KPIResult {
        Evaluator.proportionResult(d.guardrails[0], role: .guardrail, control: (e0, 2000), treatment: (e1, 2000), alpha: 0.05, power: 0.8)
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
        // Rates: from the arms' exact Beta posteriors, the same ones the interval comes from.
        let booked = conversion(d, 30, 42)
        let posterior = try #require(TwoArmPosterior.rates(control: (30, 120), treatment: (42, 120)))
        let risk = try #require(KPIRisk(booked))
        #expect(risk.chanceToBeatControl == posterior.chanceHigher && risk.expectedLossKeep == posterior.expectedDrop)
        #expect(booked.relative?.low == posterior.quantile(0.025) && booked.test == "Beta posteriors (uniform prior)")
        // A mean (revenue per job): the delta method's t, which gives its interval and p-value too.
        let a = ArmSummary(n: 100, mean: 300, variance: 10000), b = ArmSummary(n: 100, mean: 330, variance: 12000)
        var revenue = KPIResult(
            role: .primary, kpi: KPI(name: "mean job value", kind: .mean(event: "job_completed", of: .value), filter: .init(), better: .higher, rule: .liftAtLeast(0.05), maxIncrease: nil),
            control: (100, 300), treatment: (100, 330), difference: nil, relative: Compare.relativeLift(control: a, treatment: b))
        revenue.comparison = KPIResult.Comparison(revenue.relative)
        let mean = try #require(KPIRisk(revenue))
        let lift = try #require(revenue.relative)
        let t = StudentT(degreesOfFreedom: try #require(lift.degreesOfFreedom))
        #expect(mean.chanceToBeatControl == t.cdf(lift.value / lift.standardError))
        #expect(abs(mean.expectedLossKeep - lift.standardError * t.positivePart(shift: -lift.value / lift.standardError)!) < 1e-15)
        // Where the t interval excludes 0, the chance is outside [2.5%, 97.5%], and the reverse.
        #expect((lift.low > 0) == (mean.chanceToBeatControl > 0.975))
        // A count: fewer clicks than control on a KPI where higher is better.
        let clicks = try #require(TwoArmPosterior.counts(control: (100, 3.5), treatment: (70, 3.5)))
        var leading = KPIResult(role: .leading, kpi: d.leading, control: (100, 100 / 3.5), treatment: (70, 20), difference: nil, relative: nil)
        leading.comparison = KPIResult.Comparison(clicks)
        #expect(try #require(KPIRisk(leading)).chanceToBeatControl == clicks.chanceHigher)
        // A quantile has no posterior: its bootstrap estimate and standard error stand in.
        var latency = KPIResult(
            role: .guardrail, kpi: KPI(name: "p95", kind: .quantile(event: "x", of: .latencyMs, p: 0.95), filter: .init(), better: .lower, rule: nil, maxIncrease: 50),
            control: (400, 900), treatment: (400, 800), difference: nil,
            relative: Estimate(value: -0.111, standardError: 0.05, low: -0.21, high: -0.01, pValue: 0.03))
        latency.comparison = KPIResult.Comparison(latency.relative)
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
