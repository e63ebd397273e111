import Foundation

/// A Gaussian prior on the relative effect (treatment / control - 1), as GrowthBook's
/// `GaussianPrior`: an improper one (flat) lets the data speak alone.
public struct EffectPrior: Sendable, Equatable {
    public var mean: Double
    public var variance: Double
    public var proper: Bool

    public init(mean: Double, variance: Double, proper: Bool) {
        self.mean = mean
        self.variance = variance
        self.proper = proper
    }

    /// No prior: the posterior is the data's normal approximation.
    public static let flat = EffectPrior(mean: 0, variance: 1, proper: false)
    /// GrowthBook's proper prior: mean 0, standard deviation 0.3 (a change rarely moves a KPI by
    /// more than ±60%).
    public static let growthBook = EffectPrior(mean: 0, variance: 0.09, proper: true)
}

/// The posterior of a relative effect, and what it says about keeping or rolling back: the
/// chance the treatment is better, and the expected loss of each choice.
///
/// Computed as GrowthBook's engine computes it (gbstats 0.8.0, `EffectBayesianABTest` with a
/// relative difference): the data's estimate is the delta-method relative lift and its variance,
/// combined with the prior by precision. Checked against gbstats in Fixtures/bayesian.json.
public struct BayesianComparison: Sendable, Equatable {
    /// The posterior mean and standard deviation of the relative effect.
    public var expected: Double
    public var standardDeviation: Double
    /// The credible interval at the given alpha.
    public var low: Double
    public var high: Double
    /// The chance the treatment is better than control (for a KPI where lower is better, the
    /// chance it is lower).
    public var chanceToWin: Double
    /// The expected loss, as a relative effect, of keeping control (rolling back): E[max(0,
    /// effect)], what is given up on average, the cases where the treatment is not better
    /// counting as 0 (unconditional, as gbstats' risk).
    public var riskOfControl: Double
    /// The expected loss of keeping the treatment: E[max(0, −effect)], what is lost on average,
    /// the cases where it is not worse counting as 0.
    public var riskOfTreatment: Double

    /// The comparison of `treatment` with `control`; nil where gbstats gives no result: an arm
    /// without observations or without spread, or a control mean of 0.
    public static func relative(
        control a: ArmSummary, treatment b: ArmSummary, prior: EffectPrior = .flat, lowerIsBetter: Bool = false, alpha: Double = 0.05
    ) -> BayesianComparison? {
        guard a.n > 0, b.n > 0, a.mean != 0, a.variance > 0, b.variance > 0 else { return nil }
        let na = Double(a.n), nb = Double(b.n)
        let dataMean = (b.mean - a.mean) / a.mean
        let dataVariance = b.variance / (a.mean * a.mean * nb) + a.variance * b.mean * b.mean / (pow(a.mean, 4) * na)
        return relative(estimate: dataMean, variance: dataVariance, prior: prior, lowerIsBetter: lowerIsBetter, alpha: alpha)
    }

    /// The comparison from the data's estimate of the relative effect and its variance (for a
    /// KPI whose arms are not summarized by a mean and a variance, such as a bootstrapped
    /// quantile); nil for a variance that is not positive and finite.
    public static func relative(
        estimate dataMean: Double, variance dataVariance: Double, prior: EffectPrior = .flat, lowerIsBetter: Bool = false,
        alpha: Double = 0.05
    ) -> BayesianComparison? {
        guard dataMean.isFinite, dataVariance.isFinite, dataVariance > 0 else { return nil }
        let precision = 1 / dataVariance + (prior.proper ? 1 / prior.variance : 0)
        let mean = prior.proper ? (dataMean / dataVariance + prior.mean / prior.variance) / precision : dataMean
        let sd = (1 / precision).squareRoot()
        let z = Normal.quantile(1 - alpha / 2)
        let higherWins = Normal.sf(-mean / sd)  // P(effect > 0)
        // E[max(X, 0)] and E[max(-X, 0)] for X ~ N(mean, sd²), in a form without cancellation
        // far in the tails (see `positivePart`).
        let gain = positivePart(mean: mean, sd: sd)
        let loss = positivePart(mean: -mean, sd: sd)
        return BayesianComparison(
            expected: mean, standardDeviation: sd, low: mean - z * sd, high: mean + z * sd,
            chanceToWin: lowerIsBetter ? 1 - higherWins : higherWins,
            riskOfControl: lowerIsBetter ? loss : gain, riskOfTreatment: lowerIsBetter ? gain : loss)
    }

    /// E[max(X, 0)] for X ~ N(mean, sd²): sd·(φ(t) + t·Φ(t)) with t = mean/sd. For t far below 0
    /// both terms nearly cancel, so there it uses φ(t)·(1 - t·R(-t)) with Mills' ratio
    /// R(x) = Φ(-x)/φ(x) from its continued fraction.
    static func positivePart(mean: Double, sd: Double) -> Double {
        let t = mean / sd
        if t > -5 { return sd * (Normal.pdf(t) + t * Normal.cdf(t)) }
        let x = -t
        // φ(t) + t·Φ(t) = φ(x)·(1 - x·R(x)); 1 - x·R(x) = R(x)·(1/R(x) - x), and the continued
        // fraction R(x) = 1/(x + 1/(x + 2/(x + 3/(x + ...)))) converges fast for x ≥ 5.
        var rest = x  // x + 2/(x + 3/(x + ...)), from the 60th term up
        for k in stride(from: 60.0, through: 2, by: -1) { rest = x + k / rest }
        let fraction = x + 1 / rest
        return sd * Normal.pdf(x) / fraction / rest
    }
}
