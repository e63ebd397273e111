import Testing
import VerdictStats

/// Comparisons against statsmodels (differences, Welch, Poisson, power), gbstats (relative
/// lift) and scipy (Fisher, chi-square), including tiny samples, zero and all-success counts,
/// ties, extreme p-values and unequal arms.
@Suite struct ComparisonTests {
    @Test func proportions() {
        let cases = ReferenceValues.cases("proportions")
        #expect(cases.count >= 60)
        var differences = 0, lifts = 0
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
        #expect(differences > 50 && lifts > 50)
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
