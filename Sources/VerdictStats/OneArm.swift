import Foundation

/// One arm's own interval: what a rule on the treatment's value (`at_least`, `at_most`) is judged
/// against when the declaration asks for confidence. Each matches its reference in
/// Tests/VerdictStatsTests/Fixtures/intervals.json (scipy and statsmodels).
public enum OneArm {
    /// Wilson's score interval of a proportion (statsmodels' `proportion_confint(method="wilson")`).
    public static func proportion(successes: Int, trials: Int, alpha: Double = 0.05) -> (low: Double, high: Double)? {
        trials > 0 ? Compare.wilson(successes: successes, trials: trials, alpha: alpha) : nil
    }

    /// The t interval of a mean from its sample variance (scipy's `stats.t.interval(1 - alpha,
    /// n - 1, mean, sqrt(variance / n))`). Nil below two observations, where a sample says
    /// nothing of its spread.
    public static func mean(_ arm: ArmSummary, alpha: Double = 0.05) -> (low: Double, high: Double)? {
        guard arm.n > 1, arm.variance >= 0, arm.mean.isFinite else { return nil }
        let half = StudentT(degreesOfFreedom: Double(arm.n - 1)).quantile(1 - alpha / 2) * (arm.variance / Double(arm.n)).squareRoot()
        return (arm.mean - half, arm.mean + half)
    }

    /// The exact (Garwood) interval of a Poisson rate, `count` events over `exposure` (days, or
    /// the events of a denominator): `chi2.ppf(alpha / 2, 2 count) / 2` and `chi2.ppf(1 - alpha /
    /// 2, 2 count + 2) / 2`, over the exposure; the lower end is 0 without events. Nil without
    /// exposure.
    public static func poissonRate(count: Int, exposure: Double, alpha: Double = 0.05) -> (low: Double, high: Double)? {
        guard exposure > 0, count >= 0 else { return nil }
        let low = count == 0 ? 0 : ChiSquared(degreesOfFreedom: Double(2 * count)).quantile(alpha / 2) / 2
        let high = ChiSquared(degreesOfFreedom: Double(2 * count + 2)).quantile(1 - alpha / 2) / 2
        return (low / exposure, high / exposure)
    }
}
