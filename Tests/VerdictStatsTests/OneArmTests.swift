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

    /// The two-sample t test's power and sample size, from the noncentral t (pwr.t.test's 63.77
    /// per arm for d = 0.5: the vignette's 64, where the normal approximation gives 63).
    @Test func theTTestsPowerAsPwrAndStatsmodels() throws {
        let power = ReferenceValues.intervals["t_power"] ?? []
        #expect(power.count == 6)
        for c in power {
            expectClose(Power.tTestSampleSizePerArm(effectSize: c["effect"]!, alpha: c["alpha"]!, power: c["power"]!), c["n"]!, relative: 1e-6, "t n \(c)")
            expectClose(Power.tTestPower(effectSize: c["effect"]!, perArm: 40, alpha: c["alpha"]!), c["power_at_40"]!, relative: 1e-6, absolute: 1e-9, "t power at 40 \(c)")
        }
        let mde = ReferenceValues.intervals["t_mde"] ?? []
        #expect(mde.count == 4)
        for c in mde {
            expectClose(Power.tTestMinimumDetectableEffect(perArm: c["n"]!, alpha: c["alpha"]!, power: c["power"]!), c["effect"]!, relative: 1e-6, "t mde \(c)")
        }
        #expect(Int(Power.tTestSampleSizePerArm(effectSize: 0.5, alpha: 0.05, power: 0.8).rounded(.up)) == 64)
        #expect(Int(Power.sampleSizePerArm(effectSize: 0.5, alpha: 0.05, power: 0.8).rounded(.up)) == 63)
    }
}
