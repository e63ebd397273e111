import Foundation
import Testing
@testable import VerdictCore
import VerdictStats

/// Figures that agree with each other (issue 24): one observation still gives a change, a mean's
/// two intervals each carry their own test's p-value, and over a grid of small counts each KPI
/// kind's interval, p-value and chance say the same thing.
@Suite struct FiguresAgreeTests {
    let tests = VerdictTests()

    func meanKPI() -> KPI {
        KPI(name: "average ticket", kind: .mean(event: "job_completed", of: .value), filter: .init(), better: .higher, rule: .liftAtLeast(0.05), maxIncrease: nil)
    }

    func meanResult(_ a: ArmSummary, _ b: ArmSummary) -> KPIResult {
        var result = KPIResult(
            role: .primary, kpi: meanKPI(), control: (a.n, a.mean), treatment: (b.n, b.mean),
            difference: Compare.meanDifference(control: a, treatment: b), relative: Compare.relativeLift(control: a, treatment: b))
        result.summaries = (a, b)
        result.comparison = KPIResult.Comparison(result.relative)
        return result
    }

    /// gbstats' case: a single observation of 1 against a control mean of 6.667 is a change of
    /// −85%, shown without an interval rather than erased.
    @Test func aSingleObservationKeepsItsChange() throws {
        var d = try tests.declaration()
        d.primary = meanKPI()
        let result = meanResult(ArmSummary(n: 3, mean: 6.667, variance: 4), ArmSummary(n: 1, mean: 1, variance: 0))
        #expect(result.relative == nil)
        #expect(abs(try #require(result.relativeChange) - (1 / 6.667 - 1)) < 1e-12)
        #expect(abs(try #require(result.absoluteChange) - (1 - 6.667)) < 1e-12)
        let part = ReportDocument.part(result, ruleHolds: nil, daily: nil)
        #expect(abs(try #require(part.difference.relative.value) + 0.85) < 0.001)
        #expect(part.difference.ciLow.value == nil && part.difference.ciHigh.value == nil)
        let verdict = Verdict.decide(d, results: [result])
        #expect(verdict.reason.contains("-85% (no interval: one observation in an arm)"), "\(verdict.reason)")
        // Identical values in both arms: a change of 0, no spread to test.
        let same = meanResult(ArmSummary(n: 5, mean: 300, variance: 0), ArmSummary(n: 5, mean: 300, variance: 0))
        #expect(same.relativeChange == 0 && same.noIntervalReason == "no spread in either arm")
    }

    /// A mean's absolute interval is Welch's and comes with Welch's p-value; the KPI's p-value is
    /// the relative test's, the one its relative interval comes from. Each p-value is below
    /// alpha exactly when its own interval excludes 0.
    @Test func aMeansTwoIntervalsEachCarryTheirOwnPValue() throws {
        var found = false
        for treatmentMean in stride(from: 300.0, through: 420, by: 4) {
            let result = meanResult(ArmSummary(n: 40, mean: 300, variance: 150 * 150), ArmSummary(n: 35, mean: treatmentMean, variance: 260 * 260))
            let part = ReportDocument.part(result, ruleHolds: nil, daily: nil)
            let absolute = try #require(result.difference), relative = try #require(result.relative)
            #expect(part.difference.absolutePValue.value == absolute.pValue && part.pValue.value == relative.pValue)
            #expect((absolute.low > 0 || absolute.high < 0) == (absolute.pValue < 0.05))
            #expect((relative.low > 0 || relative.high < 0) == (relative.pValue < 0.05))
            let chance = try #require(KPIRisk(result)).chanceToBeatControl
            #expect((relative.low > 0 || relative.high < 0) == (chance > 0.975 || chance < 0.025))
            if (absolute.pValue < 0.05) != (relative.pValue < 0.05) { found = true }
        }
        #expect(found, "the grid should hold a case where the two tests differ, as gbstats' does")
    }

    /// Over a grid of small counts, for rates (conversion, error rate) and for counts per day, the
    /// relative and the absolute interval exclude 0 exactly when the chance to beat control is
    /// outside [2.5%, 97.5%].
    @Test func intervalAndChanceAgreeOverSmallCounts() throws {
        let d = try tests.declaration()
        var excluding = 0
        for (c0, t0) in [(2, 40), (9, 45), (1, 10), (5, 12)] {
            for c1 in [0, 1, 2, 5, 9, 15] where c1 <= 40 {
                for kpi in [d.primary, d.guardrails[0]] {
                    let result = Evaluator.proportionResult(kpi, role: .primary, control: (c0, t0), treatment: (c1, 40), alpha: 0.05, power: 0.8)
                    let relative = try #require(result.relative), absolute = try #require(result.difference)
                    let chance = try #require(KPIRisk(result)).chanceToBeatControl
                    let outside = chance > 0.975 || chance < 0.025
                    #expect((relative.low > 0 || relative.high < 0) == outside, "\(c0)/\(t0) vs \(c1)/40: \(relative), chance \(chance)")
                    #expect((absolute.low > 0 || absolute.high < 0) == outside, "\(c0)/\(t0) vs \(c1)/40: \(absolute), chance \(chance)")
                    #expect((relative.pValue < 0.05) == outside)
                    if outside { excluding += 1 }
                }
            }
        }
        #expect(excluding >= 6)
        // The no-show case of the issue: 9 of 45 against 2 of 40, lower is better. The chance is
        // the exact posterior's (about 98%), beside an interval that excludes 0.
        let noShows = Evaluator.proportionResult(d.guardrails[0], role: .guardrail, control: (9, 45), treatment: (2, 40), alpha: 0.05, power: 0.8)
        let chance = try #require(KPIRisk(noShows)).chanceToBeatControl
        let interval = try #require(noShows.relative)
        #expect(abs(chance - 0.97785) < 1e-4 && interval.high < 0)
    }
}
