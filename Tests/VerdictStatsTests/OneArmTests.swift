import Testing
@testable import VerdictStats

/// One arm's own interval, for rules on the treatment's value, against scipy and statsmodels
/// (Fixtures/make_interval_reference.py).
@Suite struct OneArmTests {
    @Test func wilsonAsStatsmodels() throws {
        let cases = ReferenceValues.intervals["proportion"] ?? []
        #expect(cases.count == 20)
        for c in cases {
            let interval = try #require(OneArm.proportion(successes: Int(c["successes"]!), trials: Int(c["trials"]!), alpha: c["alpha"]!))
            expectClose(interval.low, c["low"]!, absolute: 1e-12, "wilson low \(c)")
            expectClose(interval.high, c["high"]!, absolute: 1e-12, "wilson high \(c)")
        }
        #expect(OneArm.proportion(successes: 0, trials: 0) == nil)
    }

    @Test func theTIntervalOfAMeanAsScipy() throws {
        let cases = ReferenceValues.intervals["mean"] ?? []
        #expect(cases.count == 14)
        for c in cases {
            let arm = ArmSummary(n: Int(c["n"]!), mean: c["mean"]!, variance: c["variance"]!)
            let interval = try #require(OneArm.mean(arm, alpha: c["alpha"]!))
            expectClose(interval.low, c["low"]!, absolute: 1e-9, "t low \(c)")
            expectClose(interval.high, c["high"]!, absolute: 1e-9, "t high \(c)")
        }
        #expect(OneArm.mean(ArmSummary(n: 1, mean: 6.667, variance: 0)) == nil)
    }

    @Test func theExactPoissonIntervalAsScipy() throws {
        let cases = ReferenceValues.intervals["poisson"] ?? []
        #expect(cases.count == 16)
        for c in cases {
            let interval = try #require(OneArm.poissonRate(count: Int(c["count"]!), exposure: c["exposure"]!, alpha: c["alpha"]!))
            expectClose(interval.low, c["low"]!, absolute: 1e-12, "poisson low \(c)")
            expectClose(interval.high, c["high"]!, absolute: 1e-12, "poisson high \(c)")
        }
        #expect(OneArm.poissonRate(count: 3, exposure: 0) == nil)
    }
}
