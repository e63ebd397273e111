import Foundation

/// One arm's summary: how many observations, their mean and their variance.
///
/// For a proportion the mean is the rate and the variance p(1 - p); for a mean, the sample
/// variance (n - 1 in the denominator).
public struct ArmSummary: Sendable, Equatable {
    public var n: Int
    public var mean: Double
    public var variance: Double

    /// Creates a summary.
    public init(n: Int, mean: Double, variance: Double) {
        self.n = n
        self.mean = mean
        self.variance = variance
    }

    /// A proportion's summary from its successes and trials.
    public static func proportion(successes: Int, trials: Int) -> ArmSummary {
        let rate = trials == 0 ? 0 : Double(successes) / Double(trials)
        return ArmSummary(n: trials, mean: rate, variance: rate * (1 - rate))
    }
}

/// An estimate with its interval and two-sided p-value.
public struct Estimate: Sendable, Equatable {
    /// The point estimate.
    public var value: Double
    /// Its standard error.
    public var standardError: Double
    /// The interval's lower end.
    public var low: Double
    /// The interval's upper end.
    public var high: Double
    /// The two-sided p-value of "no difference".
    public var pValue: Double
    /// Degrees of freedom of the t distribution used, or nil for the normal.
    public var degreesOfFreedom: Double?

    /// Creates an estimate.
    public init(value: Double, standardError: Double, low: Double, high: Double, pValue: Double, degreesOfFreedom: Double? = nil) {
        self.value = value
        self.standardError = standardError
        self.low = low
        self.high = high
        self.pValue = pValue
        self.degreesOfFreedom = degreesOfFreedom
    }
}

/// Comparisons of a treatment arm with a control arm.
public enum Compare {
    /// The difference of two proportions (treatment - control) with the unpooled standard
    /// error, its normal (Wald) interval and two-sided p-value.
    public static func proportionDifference(
        control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int), alpha: Double = 0.05
    ) -> Estimate? {
        guard control.trials > 0, treatment.trials > 0 else { return nil }
        let p0 = Double(control.successes) / Double(control.trials)
        let p1 = Double(treatment.successes) / Double(treatment.trials)
        let se = (p0 * (1 - p0) / Double(control.trials) + p1 * (1 - p1) / Double(treatment.trials)).squareRoot()
        let difference = p1 - p0
        let z = Normal.quantile(1 - alpha / 2)
        let pValue: Double
        if se > 0 {
            pValue = 2 * Normal.sf(abs(difference) / se)
        } else {
            pValue = difference == 0 ? 1 : 0
        }
        return Estimate(value: difference, standardError: se, low: difference - z * se, high: difference + z * se, pValue: pValue, degreesOfFreedom: nil)
    }

    /// The relative change (treatment / control - 1) with a delta-method standard error and a
    /// t interval at Welch–Satterthwaite degrees of freedom (as gbstats computes it). Nil when
    /// the control's mean is 0 or either arm has no spread (all successes, or all the same value),
    /// where the delta method says nothing honest.
    public static func relativeLift(control a: ArmSummary, treatment b: ArmSummary, alpha: Double = 0.05) -> Estimate? {
        guard a.n > 1, b.n > 1, a.mean != 0, a.variance > 0, b.variance > 0 else { return nil }
        let na = Double(a.n), nb = Double(b.n)
        let lift = b.mean / a.mean - 1
        let variance = b.variance / (a.mean * a.mean * nb) + a.variance * b.mean * b.mean / (pow(a.mean, 4) * na)
        let se = variance.squareRoot()
        let dof = welchDegreesOfFreedom(a, b)
        let t = StudentT(degreesOfFreedom: dof)
        let width = t.quantile(1 - alpha / 2) * se
        let pValue = 2 * t.sf(abs(lift) / se)
        return Estimate(value: lift, standardError: se, low: lift - width, high: lift + width, pValue: pValue, degreesOfFreedom: dof)
    }

    /// The relative change of a proportion (treatment / control - 1) as a risk ratio: the Wald
    /// test on the log ratio with 0.5 added to each count and each total, statsmodels' default
    /// for ratios (`confint_proportions_2indep` and `test_proportions_2indep` with
    /// `compare="ratio", method="log-adjusted"`). Its interval never runs below -100%, and the
    /// interval and the p-value come from the same test. The value is the observed change
    /// (infinite when the control has no successes); the standard error is the delta-method one
    /// of the adjusted ratio. Nil when both arms are all successes (no spread to test).
    public static func riskRatio(
        control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int), alpha: Double = 0.05
    ) -> Estimate? {
        guard control.trials > 0, treatment.trials > 0 else { return nil }
        let x0 = Double(control.successes) + 0.5, n0 = Double(control.trials) + 0.5
        let x1 = Double(treatment.successes) + 0.5, n1 = Double(treatment.trials) + 0.5
        let variance = 1 / x1 - 1 / n1 + 1 / x0 - 1 / n0
        guard variance > 0 else { return nil }
        let logRatio = log((x1 / n1) / (x0 / n0))
        let se = variance.squareRoot()
        let z = Normal.quantile(1 - alpha / 2)
        let p0 = Double(control.successes) / Double(control.trials), p1 = Double(treatment.successes) / Double(treatment.trials)
        let observed = p0 > 0 ? p1 / p0 - 1 : (p1 > 0 ? Double.infinity : 0)
        return Estimate(
            value: observed, standardError: exp(logRatio) * se, low: exp(logRatio - z * se) - 1, high: exp(logRatio + z * se) - 1,
            pValue: 2 * Normal.sf(abs(logRatio) / se), degreesOfFreedom: nil)
    }

    /// Wilson's score interval of one proportion (statsmodels' `proportion_confint(method="wilson")`).
    public static func wilson(successes: Int, trials: Int, alpha: Double = 0.05) -> (low: Double, high: Double) {
        guard trials > 0 else { return (0, 1) }
        let n = Double(trials), p = Double(successes) / n
        let z = Normal.quantile(1 - alpha / 2), z2 = z * z
        let center = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return (max(0, center - half), min(1, center + half))
    }

    /// Newcombe's hybrid score interval of the difference of two proportions (treatment -
    /// control), from each arm's Wilson interval: good coverage with few events and rates near 0,
    /// which is what early safety checks see (statsmodels' `confint_proportions_2indep` with
    /// `method="newcomb"`). Nil without trials in either arm.
    public static func newcombeDifference(
        control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int), alpha: Double = 0.05
    ) -> (difference: Double, low: Double, high: Double)? {
        guard control.trials > 0, treatment.trials > 0 else { return nil }
        let p1 = Double(treatment.successes) / Double(treatment.trials), p2 = Double(control.successes) / Double(control.trials)
        let (low1, high1) = wilson(successes: treatment.successes, trials: treatment.trials, alpha: alpha)
        let (low2, high2) = wilson(successes: control.successes, trials: control.trials, alpha: alpha)
        let difference = p1 - p2
        let below = ((p1 - low1) * (p1 - low1) + (high2 - p2) * (high2 - p2)).squareRoot()
        let above = ((p2 - low2) * (p2 - low2) + (high1 - p1) * (high1 - p1)).squareRoot()
        return (difference, difference - below, difference + above)
    }

    /// Welch's t test of the difference of two means (treatment - control), with its interval.
    public static func meanDifference(control a: ArmSummary, treatment b: ArmSummary, alpha: Double = 0.05) -> Estimate? {
        guard a.n > 1, b.n > 1, a.variance > 0 || b.variance > 0 else { return nil }
        let se = (a.variance / Double(a.n) + b.variance / Double(b.n)).squareRoot()
        let difference = b.mean - a.mean
        let dof = welchDegreesOfFreedom(a, b)
        let t = StudentT(degreesOfFreedom: dof)
        let width = t.quantile(1 - alpha / 2) * se
        return Estimate(
            value: difference, standardError: se, low: difference - width, high: difference + width,
            pValue: 2 * t.sf(abs(difference) / se), degreesOfFreedom: dof)
    }

    /// The Welch–Satterthwaite degrees of freedom of two samples.
    public static func welchDegreesOfFreedom(_ a: ArmSummary, _ b: ArmSummary) -> Double {
        let va = a.variance / Double(a.n), vb = b.variance / Double(b.n)
        let numerator = (va + vb) * (va + vb)
        let denominator = va * va / Double(a.n - 1) + vb * vb / Double(b.n - 1)
        return denominator > 0 ? numerator / denominator : Double(a.n + b.n - 2)
    }

    /// Fisher's exact test of two proportions, two-sided: the probability, given the margins,
    /// of a table no more likely than the one observed (scipy's definition, with its relative
    /// tolerance of 1e-7 for ties).
    public static func fisherExactPValue(control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int)) -> Double {
        let successes = control.successes + treatment.successes
        let total = control.trials + treatment.trials
        let draws = treatment.trials
        guard total > 0, successes > 0, successes < total, draws > 0, draws < total else { return 1 }
        // X = treatment successes ~ Hypergeometric(total, successes, draws).
        func logPMF(_ x: Int) -> Double {
            logChoose(successes, x) + logChoose(total - successes, draws - x) - logChoose(total, draws)
        }
        let low = max(0, draws - (total - successes)), high = min(successes, draws)
        let observed = logPMF(treatment.successes)
        let threshold = observed + log1p(1e-7)
        var p = 0.0
        for x in low...high {
            let value = logPMF(x)
            if value <= threshold { p += exp(value) }
        }
        return min(1, p)
    }

    private static func logChoose(_ n: Int, _ k: Int) -> Double {
        Special.logGamma(Double(n) + 1) - Special.logGamma(Double(k) + 1) - Special.logGamma(Double(n - k) + 1)
    }

    /// Sample ratio mismatch: the chi-square goodness-of-fit p-value of arm sizes against the
    /// shares the design intended (shares sum to 1).
    public static func sampleRatioMismatch(counts: [Int], shares: [Double]) -> (statistic: Double, pValue: Double)? {
        let total = Double(counts.reduce(0, +))
        guard counts.count == shares.count, counts.count > 1, total > 0 else { return nil }
        var statistic = 0.0
        for (count, share) in zip(counts, shares) {
            let expected = total * share
            guard expected > 0 else { return nil }
            statistic += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        return (statistic, ChiSquared(degreesOfFreedom: Double(counts.count - 1)).sf(statistic))
    }
}
