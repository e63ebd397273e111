import Testing
import VerdictStats

/// Comparisons against statsmodels (differences, Welch, Poisson, power), gbstats (relative
/// lift) and scipy (Fisher, chi-square), including tiny samples, zero and all-success counts,
/// ties, extreme p-values and unequal arms.
@Suite struct ComparisonTests {
    @Test func proportions() {
        let cases = ReferenceValues.cases("proportions")
        #expect(cases.count >= 60)
        var differences = 0, lifts = 0, ratios = 0, newcombes = 0
        for c in cases {
            let control = (Int(c["x0"]!), Int(c["n0"]!)), treatment = (Int(c["x1"]!), Int(c["n1"]!))
            let label = "\(control) vs \(treatment)"
            if let expected = c["diff"] {
                differences += 1
                let estimate = Compare.proportionDifference(control: control, treatment: treatment, alpha: c["alpha"]!)!
                expectClose(estimate.value, expected, absolute: 1e-15, "difference \(label)")
                expectClose(estimate.standardError, c["diff_se"]!, "standard error \(label)")
                expectClose(estimate.low, c["diff_low"]!, absolute: 1e-12, "interval low \(label)")
                expectClose(estimate.high, c["diff_high"]!, absolute: 1e-12, "interval high \(label)")
                expectClose(estimate.pValue, c["diff_p"]!, absolute: 1e-12, "p-value \(label)")
            }
            expectClose(Compare.fisherExactPValue(control: control, treatment: treatment), c["fisher_p"]!, absolute: 1e-12, "Fisher \(label)")
            if let low = c["newcombe_low"] {
                newcombes += 1
                let interval = try! #require(Compare.newcombeDifference(control: control, treatment: treatment, alpha: c["alpha"]!))
                expectClose(interval.low, low, absolute: 1e-12, "Newcombe low \(label)")
                expectClose(interval.high, c["newcombe_high"]!, absolute: 1e-12, "Newcombe high \(label)")
            }
            let ratio = Compare.riskRatio(control: control, treatment: treatment, alpha: c["alpha"]!)
            if let low = c["ratio_low"] {
                ratios += 1
                let estimate = try! #require(ratio, "statsmodels gives a ratio for \(label)")
                expectClose(estimate.low + 1, low, absolute: 1e-12, "ratio low \(label)")
                expectClose(estimate.high + 1, c["ratio_high"]!, absolute: 1e-12, "ratio high \(label)")
                expectClose(estimate.pValue, c["ratio_p"]!, absolute: 1e-12, "ratio p \(label)")
                #expect(estimate.low > -1, "the interval stays above -100% for \(label)")
            } else {
                #expect(ratio == nil, "statsmodels gives no ratio for \(label)")
            }
            let relative = Compare.relativeLift(
                control: .proportion(successes: control.0, trials: control.1),
                treatment: .proportion(successes: treatment.0, trials: treatment.1), alpha: c["alpha"]!)
            if let expected = c["lift"] {
                lifts += 1
                let lift = relative!
                expectClose(lift.value, expected, absolute: 1e-14, "lift \(label)")
                expectClose(lift.low, c["lift_low"]!, absolute: 1e-12, "lift low \(label)")
                expectClose(lift.high, c["lift_high"]!, absolute: 1e-12, "lift high \(label)")
                expectClose(lift.pValue, c["lift_p"]!, absolute: 1e-12, "lift p \(label)")
                expectClose(lift.degreesOfFreedom!, c["lift_dof"]!, "lift dof \(label)")
            } else {
                #expect(relative == nil, "gbstats gives no lift for \(label), Verdict should not either")
            }
        }
        #expect(differences > 50 && lifts > 50 && ratios > 55 && newcombes == cases.count)
    }

    /// What a new user found: a relative interval on a rate that ran past -100%, and an
    /// interval beside a p-value from another test. The risk ratio's interval stays above -100%,
    /// and excludes no change exactly when its p-value is below alpha.
    @Test func riskRatioIntervalAndPValueAgree() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n0 = Int.random(in: 1...300, using: &generator), n1 = Int.random(in: 1...300, using: &generator)
            let control = (Int.random(in: 0...n0, using: &generator), n0), treatment = (Int.random(in: 0...n1, using: &generator), n1)
            let alpha = [0.01, 0.05, 0.1].randomElement(using: &generator)!
            guard let ratio = Compare.riskRatio(control: control, treatment: treatment, alpha: alpha) else { continue }
            #expect(ratio.low > -1 && ratio.low <= ratio.high, "\(control) vs \(treatment)")
            let excludesNoChange = ratio.low > 0 || ratio.high < 0
            // Exactly at the boundary the two may round apart; elsewhere they agree.
            if abs(ratio.pValue - alpha) > 1e-9 {
                #expect(excludesNoChange == (ratio.pValue < alpha), "\(control) vs \(treatment) at alpha \(alpha)")
            }
        }
        // A big drop on a small sample: the delta-method interval runs past -100%, the risk ratio's does not.
        let delta = Compare.relativeLift(control: .proportion(successes: 7, trials: 30), treatment: .proportion(successes: 3, trials: 29))!
        let small = Compare.riskRatio(control: (7, 30), treatment: (3, 29))!
        #expect(delta.low < -1 && small.low > -1 && small.pValue > 0.05 && small.high > 0)
    }

    @Test func means() {
        let cases = ReferenceValues.cases("means")
        #expect(cases.count >= 40)
        for c in cases {
            let control = ArmSummary(n: Int(c["n0"]!), mean: c["mean0"]!, variance: c["var0"]!)
            let treatment = ArmSummary(n: Int(c["n1"]!), mean: c["mean1"]!, variance: c["var1"]!)
            let label = "n \(control.n)/\(treatment.n)"
            let welch = Compare.meanDifference(control: control, treatment: treatment, alpha: c["alpha"]!)!
            expectClose(welch.value, c["diff"]!, absolute: 1e-9, "difference \(label)")
            expectClose(welch.low, c["diff_low"]!, absolute: 1e-9, "low \(label)")
            expectClose(welch.high, c["diff_high"]!, absolute: 1e-9, "high \(label)")
            expectClose(welch.pValue, c["diff_p"]!, absolute: 1e-12, "p \(label)")
            expectClose(welch.degreesOfFreedom!, c["diff_dof"]!, "dof \(label)")
            if let expected = c["lift"] {
                let lift = Compare.relativeLift(control: control, treatment: treatment, alpha: c["alpha"]!)!
                expectClose(lift.value, expected, absolute: 1e-12, "lift \(label)")
                expectClose(lift.low, c["lift_low"]!, absolute: 1e-12, "lift low \(label)")
                expectClose(lift.high, c["lift_high"]!, absolute: 1e-12, "lift high \(label)")
                expectClose(lift.pValue, c["lift_p"]!, absolute: 1e-12, "lift p \(label)")
            }
        }
    }

    @Test func poissonRateRatios() {
        for c in ReferenceValues.cases("rate_ratios") {
            let control = (Int(c["c0"]!), c["e0"]!), treatment = (Int(c["c1"]!), c["e1"]!)
            let label = "\(control) vs \(treatment)"
            let estimate = Compare.rateRatio(control: control, treatment: treatment)!
            expectClose(estimate.pValue, c["p"]!, absolute: 1e-12, "p \(label)")
            if let ratio = c["ratio"] { expectClose(estimate.value, ratio, "ratio \(label)") }
            expectClose(estimate.low, c["low"]!, absolute: 1e-12, "low \(label)")
            if let high = c["high"] { expectClose(estimate.high, high, "high \(label)") } else { #expect(estimate.high == .infinity) }
        }
    }

    @Test func sampleRatioMismatch() {
        for c in ReferenceValues.cases("srm") {
            let counts = (0..<3).compactMap { c["counts.\($0)"] }.map { Int($0) }
            let shares = (0..<3).compactMap { c["shares.\($0)"] }
            let result = Compare.sampleRatioMismatch(counts: counts, shares: shares)!
            expectClose(result.statistic, c["statistic"]!, absolute: 1e-12, "χ² \(counts)")
            expectClose(result.pValue, c["p"]!, absolute: 1e-12, "p \(counts)")
        }
    }

    @Test func powerAndMinimumDetectableEffect() {
        for c in ReferenceValues.cases("power") {
            let effect = Power.effectSize(baseline: c["baseline"]!, treatment: c["baseline"]! * (1 + c["lift"]!))
            expectClose(effect, c["effect"]!, "Cohen's h")
            let n = Power.sampleSizePerArm(baseline: c["baseline"]!, relativeLift: c["lift"]!, alpha: c["alpha"]!, power: c["power"]!)
            expectClose(n, c["n"]!, "n per arm for \(c)")
        }
        for c in ReferenceValues.cases("mde") {
            let effect = Power.minimumDetectableEffect(perArm: c["n"]!, alpha: c["alpha"]!, power: c["power"]!)
            expectClose(effect, c["effect"]!, "MDE at n \(c["n"]!)")
            expectClose(Power.minimumDetectableLift(baseline: c["baseline"]!, perArm: c["n"]!, alpha: c["alpha"]!, power: c["power"]!),
                        c["lift"]!, "MDE lift at n \(c["n"]!)")
            expectClose(Power.power(effectSize: c["effect"]! * 0.7, perArm: c["n"]!, alpha: c["alpha"]!), c["power_at_n"]!, "power")
        }
    }
}
