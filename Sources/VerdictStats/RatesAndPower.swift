import Foundation

extension Compare {
    /// The ratio of two Poisson rates (treatment / control, each count over its exposure) by the
    /// exact conditional test: given the total count, the treatment's share is binomial. The
    /// p-value is the two-sided binomial test's; the interval is Clopper–Pearson on that share,
    /// carried over to the ratio. Nil when there are no events at all.
    public static func rateRatio(
        control: (count: Int, exposure: Double), treatment: (count: Int, exposure: Double), alpha: Double = 0.05
    ) -> Estimate? {
        let total = control.count + treatment.count
        guard total > 0, control.exposure > 0, treatment.exposure > 0 else { return nil }
        let share = treatment.exposure / (treatment.exposure + control.exposure)
        let ratio = control.count == 0
            ? Double.infinity : (Double(treatment.count) / treatment.exposure) / (Double(control.count) / control.exposure)
        let pValue = binomialTestPValue(successes: treatment.count, trials: total, probability: share)
        let exposureFactor = control.exposure / treatment.exposure
        func toRatio(_ pi: Double) -> Double { pi >= 1 ? .infinity : pi / (1 - pi) * exposureFactor }
        let lowShare = treatment.count == 0 ? 0 : betaQuantile(alpha / 2, Double(treatment.count), Double(total - treatment.count + 1))
        let highShare = treatment.count == total ? 1 : betaQuantile(1 - alpha / 2, Double(treatment.count + 1), Double(total - treatment.count))
        return Estimate(value: ratio, standardError: .nan, low: toRatio(lowShare), high: toRatio(highShare), pValue: pValue, degreesOfFreedom: nil)
    }

    /// The two-sided exact binomial test (scipy's binomtest): the probability of outcomes no
    /// more likely than the one observed, with a relative tolerance of 1e-7 for ties.
    public static func binomialTestPValue(successes k: Int, trials n: Int, probability p: Double) -> Double {
        let binomial = Binomial(trials: n, probability: p)
        let observed = binomial.pmf(k)
        let threshold = observed * (1 + 1e-7)
        let expected = p * Double(n)
        if Double(k) == expected { return 1 }
        if Double(k) < expected {
            // The other tail: the first x above the mode whose pmf is at most the observed one.
            var low = Int(expected.rounded(.up)), high = n
            if binomial.pmf(high) > threshold { return min(1, binomial.cdf(k)) }
            while high - low > 0 {
                let middle = (low + high) / 2
                if binomial.pmf(middle) <= threshold { high = middle } else { low = middle + 1 }
            }
            return min(1, binomial.cdf(k) + binomial.sf(high - 1))
        }
        var low = 0, high = Int(expected.rounded(.down))
        if binomial.pmf(low) > threshold { return min(1, binomial.sf(k - 1)) }
        while high - low > 0 {
            let middle = (low + high + 1) / 2
            if binomial.pmf(middle) <= threshold { low = middle } else { high = middle - 1 }
        }
        return min(1, binomial.cdf(low) + binomial.sf(k - 1))
    }

    /// The p-quantile of the Beta(a, b) distribution.
    public static func betaQuantile(_ p: Double, _ a: Double, _ b: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 }
        let logFront = Special.logGamma(a + b) - Special.logGamma(a) - Special.logGamma(b)
        return Special.solve(p, low: 0, high: 1, { Special.beta($0, a, b).lower }) { x in
            x <= 0 || x >= 1 ? 0 : exp(logFront + (a - 1) * log(x) + (b - 1) * log1p(-x))
        }
    }
}

/// Power and sample size for a two-sided test of two equal arms, with the normal approximation
/// (as statsmodels' NormalIndPower): for proportions the effect size is Cohen's h, for means
/// the difference in standard deviations.
public enum Power {
    /// Cohen's h between two proportions: 2 asin √p1 - 2 asin √p0.
    public static func effectSize(baseline p0: Double, treatment p1: Double) -> Double {
        2 * asin(p1.squareRoot()) - 2 * asin(p0.squareRoot())
    }

    /// The power to detect `effectSize` with `perArm` observations in each arm.
    public static func power(effectSize: Double, perArm: Double, alpha: Double) -> Double {
        let critical = Normal.quantile(1 - alpha / 2)
        let shift = abs(effectSize) * (perArm / 2).squareRoot()
        return Normal.sf(critical - shift) + Normal.cdf(-critical - shift)
    }

    /// The observations each arm needs to detect `effectSize` with the given power.
    public static func sampleSizePerArm(effectSize: Double, alpha: Double, power target: Double) -> Double {
        guard effectSize != 0 else { return .infinity }
        let logN = Special.solve(target, low: log(1e-3), high: log(1e15), { power(effectSize: effectSize, perArm: exp($0), alpha: alpha) })
        return exp(logN)
    }

    /// The observations each arm needs to detect a relative lift of a proportion.
    public static func sampleSizePerArm(baseline p0: Double, relativeLift: Double, alpha: Double, power: Double) -> Double {
        let p1 = min(1, max(0, p0 * (1 + relativeLift)))
        return sampleSizePerArm(effectSize: effectSize(baseline: p0, treatment: p1), alpha: alpha, power: power)
    }

    /// The smallest effect size detectable with `perArm` observations in each arm.
    public static func minimumDetectableEffect(perArm: Double, alpha: Double, power target: Double) -> Double {
        guard perArm > 0 else { return .infinity }
        return Special.solve(target, low: 0, high: 10, { power(effectSize: $0, perArm: perArm, alpha: alpha) })
    }

    /// The smallest relative lift of a proportion detectable with `perArm` observations per arm.
    /// The smallest relative drop of a proportion from `p0` detectable with `perArm` per arm (the
    /// arcsine effect size, downward): at most 1 (the whole baseline); infinite when even a drop
    /// to 0 cannot be detected.
    public static func minimumDetectableDrop(baseline p0: Double, perArm: Double, alpha: Double, power: Double) -> Double {
        let h = minimumDetectableEffect(perArm: perArm, alpha: alpha, power: power)
        let angle = asin(p0.squareRoot()) - h / 2
        guard angle > 0 else { return .infinity }
        let p1 = sin(angle) * sin(angle)
        return 1 - p1 / p0
    }

    public static func minimumDetectableLift(baseline p0: Double, perArm: Double, alpha: Double, power: Double) -> Double {
        let h = minimumDetectableEffect(perArm: perArm, alpha: alpha, power: power)
        let angle = asin(p0.squareRoot()) + h / 2
        guard angle < Double.pi / 2 else { return .infinity }
        let p1 = sin(angle) * sin(angle)
        return p1 / p0 - 1
    }
}

extension Compare {
    /// The ratio of two totals of amounts (treatment / control, each a sum of amounts over its
    /// exposure), such as a week's revenue against the week before, as a compound Poisson
    /// process: jobs arrive at random and each brings its amount. The variance of a total is
    /// the sum of its squared amounts, and the interval and p-value come from the log ratio by
    /// the delta method (normal). Nil when either total is not positive.
    public static func totalRatio(
        control: (sum: Double, sumOfSquares: Double, exposure: Double),
        treatment: (sum: Double, sumOfSquares: Double, exposure: Double), alpha: Double = 0.05
    ) -> Estimate? {
        guard control.sum > 0, treatment.sum > 0, control.exposure > 0, treatment.exposure > 0 else { return nil }
        let logRatio = log((treatment.sum / treatment.exposure) / (control.sum / control.exposure))
        let se = (treatment.sumOfSquares / (treatment.sum * treatment.sum) + control.sumOfSquares / (control.sum * control.sum)).squareRoot()
        let z = Normal.quantile(1 - alpha / 2)
        let pValue = se > 0 ? 2 * Normal.cdf(-abs(logRatio) / se) : (logRatio == 0 ? 1 : 0)
        return Estimate(
            value: exp(logRatio), standardError: se, low: exp(logRatio - z * se), high: exp(logRatio + z * se), pValue: pValue)
    }
}

extension Power {
    /// The power of the two-sided two-sample t test with `perArm` observations in each arm to
    /// detect a difference of `effectSize` standard deviations (Cohen's d), from the noncentral
    /// t distribution, as R's `pwr.t.test` and statsmodels' `TTestIndPower` compute it: with
    /// ν = 2n − 2 degrees of freedom and noncentrality δ = d √(n/2), the chance that |T| passes
    /// the critical t. T = (Z + δ)/S with S = √(χ²_ν/ν), integrated over S by Simpson's rule.
    public static func tTestPower(effectSize: Double, perArm: Double, alpha: Double) -> Double {
        guard perArm > 1 else { return alpha }
        let nu = 2 * perArm - 2
        let delta = abs(effectSize) * (perArm / 2).squareRoot()
        let critical = StudentT(degreesOfFreedom: nu).quantile(1 - alpha / 2)
        // The density of S: 2νs · χ²_ν(νs²), over where it has mass.
        let chi = ChiSquared(degreesOfFreedom: nu)
        let low = (chi.quantile(1e-12) / nu).squareRoot(), high = (chi.quantile(1 - 1e-12) / nu).squareRoot()
        let steps = 2000
        let h = (high - low) / Double(steps)
        var total = 0.0
        for i in 0...steps {
            let s = low + Double(i) * h
            let weight = i == 0 || i == steps ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0)
            let density = 2 * nu * s * chi.pdf(nu * s * s)
            total += weight * density * (Normal.cdf(delta - critical * s) + Normal.cdf(-delta - critical * s))
        }
        return total * h / 3
    }

    /// The observations each arm needs for the t test to detect `effectSize` standard
    /// deviations with the given power (not rounded up; `pwr.t.test`'s n).
    public static func tTestSampleSizePerArm(effectSize: Double, alpha: Double, power target: Double) -> Double {
        guard effectSize != 0 else { return .infinity }
        let logN = Special.solve(target, low: log(2.0001), high: log(1e12), { tTestPower(effectSize: effectSize, perArm: exp($0), alpha: alpha) })
        return exp(logN)
    }

    /// The smallest effect (standard deviations) the t test detects with `perArm` per arm.
    public static func tTestMinimumDetectableEffect(perArm: Double, alpha: Double, power target: Double) -> Double {
        guard perArm > 1 else { return .infinity }
        return Special.solve(target, low: 0, high: 50, { tTestPower(effectSize: $0, perArm: perArm, alpha: alpha) })
    }
}
