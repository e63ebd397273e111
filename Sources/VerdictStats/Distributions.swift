import Foundation

/// The standard normal distribution.
public enum Normal {
    /// The density at z.
    public static func pdf(_ z: Double) -> Double { exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
    /// P(Z ≤ z).
    public static func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
    /// P(Z > z), accurate far into the upper tail.
    public static func sf(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// The z with P(Z ≤ z) = p: Acklam's rational approximation, then Halley steps on erfc to
    /// full double precision (tails included).
    public static func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "a probability is between 0 and 1")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p > 0.5 { return -lowerQuantile(1 - p) }
        return lowerQuantile(p)
    }

    /// The quantile for p ≤ 0.5 (computed from p, so tiny p keeps its precision).
    private static func lowerQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        for _ in 0..<3 {  // Halley refinement
            let error = cdf(x) - p
            let u = error * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}

/// Student's t distribution.
public struct StudentT: Sendable {
    /// Degrees of freedom (> 0, not necessarily whole).
    public let degreesOfFreedom: Double

    /// Creates the distribution.
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0)
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double { t <= 0 ? lowerTail(t) : upperTail(-t) }
    /// P(T > t).
    public func sf(_ t: Double) -> Double { cdf(-t) }

    /// P(T ≤ t) for t ≤ 0: ½ I_{ν/(ν+t²)}(ν/2, ½).
    private func lowerTail(_ t: Double) -> Double {
        if t.isInfinite { return 0 }
        let v = degreesOfFreedom
        return 0.5 * Special.beta(v / (v + t * t), v / 2, 0.5).lower
    }

    /// P(T ≤ |t|) for t ≤ 0, computed as 1 - lower tail with the complement taken directly.
    private func upperTail(_ t: Double) -> Double {
        if t.isInfinite { return 1 }
        let v = degreesOfFreedom
        let beta = Special.beta(v / (v + t * t), v / 2, 0.5)
        return beta.upper + 0.5 * beta.lower
    }

    /// The density at t.
    public func pdf(_ t: Double) -> Double {
        let v = degreesOfFreedom
        let logDensity = Special.logGamma((v + 1) / 2) - Special.logGamma(v / 2) - 0.5 * log(v * Double.pi)
            - (v + 1) / 2 * log1p(t * t / v)
        return exp(logDensity)
    }

    /// The t with P(T ≤ t) = p.
    public func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1)
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p > 0.5 { return -quantile(1 - p) }
        // Bracket below the normal quantile (t tails are heavier), then solve.
        var low = Normal.quantile(p) * 2 - 1
        while cdf(low) > p { low *= 2 }
        return Special.solve(p, low: low, high: 0, cdf, derivative: pdf)
    }
}

/// The chi-square distribution.
public struct ChiSquared: Sendable {
    /// Degrees of freedom (> 0).
    public let degreesOfFreedom: Double

    /// Creates the distribution.
    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0)
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double { Special.gamma(degreesOfFreedom / 2, x / 2).lower }
    /// P(X > x), accurate far into the upper tail.
    public func sf(_ x: Double) -> Double { Special.gamma(degreesOfFreedom / 2, x / 2).upper }

    /// The density at x.
    public func pdf(_ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let k = degreesOfFreedom / 2
        return exp((k - 1) * log(x) - x / 2 - k * log(2) - Special.logGamma(k))
    }

    /// The x with P(X ≤ x) = p.
    public func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1)
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        var high = max(1, degreesOfFreedom) * 2
        while cdf(high) < p { high *= 2 }
        return Special.solve(p, low: 0, high: high, cdf, derivative: pdf)
    }
}

/// The binomial distribution: successes in `trials` independent trials with probability `p`.
public struct Binomial: Sendable {
    public let trials: Int
    public let probability: Double

    /// Creates the distribution.
    public init(trials: Int, probability: Double) {
        precondition(trials >= 0 && probability >= 0 && probability <= 1)
        self.trials = trials
        self.probability = probability
    }

    /// P(X = k).
    public func pmf(_ k: Int) -> Double {
        guard k >= 0 && k <= trials else { return 0 }
        if probability == 0 { return k == 0 ? 1 : 0 }
        if probability == 1 { return k == trials ? 1 : 0 }
        let n = Double(trials), x = Double(k)
        return exp(Special.logGamma(n + 1) - Special.logGamma(x + 1) - Special.logGamma(n - x + 1)
            + x * log(probability) + (n - x) * log1p(-probability))
    }

    /// P(X ≤ k).
    public func cdf(_ k: Int) -> Double {
        if k < 0 { return 0 }
        if k >= trials { return 1 }
        return Special.beta(probability, Double(k + 1), Double(trials - k)).upper
    }

    /// P(X > k), accurate far into the upper tail.
    public func sf(_ k: Int) -> Double {
        if k < 0 { return 1 }
        if k >= trials { return 0 }
        return Special.beta(probability, Double(k + 1), Double(trials - k)).lower
    }

    /// The smallest k with P(X ≤ k) ≥ p.
    public func quantile(_ p: Double) -> Int {
        discreteQuantile(p, upper: trials, cdf: cdf)
    }
}

/// The Poisson distribution with the given mean.
public struct Poisson: Sendable {
    public let mean: Double

    /// Creates the distribution.
    public init(mean: Double) {
        precondition(mean >= 0)
        self.mean = mean
    }

    /// P(X = k).
    public func pmf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        if mean == 0 { return k == 0 ? 1 : 0 }
        return exp(Double(k) * log(mean) - mean - Special.logGamma(Double(k) + 1))
    }

    /// P(X ≤ k).
    public func cdf(_ k: Int) -> Double {
        if k < 0 { return 0 }
        if mean == 0 { return 1 }
        return Special.gamma(Double(k + 1), mean).upper
    }

    /// P(X > k), accurate far into the upper tail.
    public func sf(_ k: Int) -> Double {
        if k < 0 { return 1 }
        if mean == 0 { return 0 }
        return Special.gamma(Double(k + 1), mean).lower
    }

    /// The smallest k with P(X ≤ k) ≥ p.
    public func quantile(_ p: Double) -> Int {
        discreteQuantile(p, upper: Int.max / 4, cdf: cdf)
    }
}

/// The smallest k in 0...upper with cdf(k) ≥ p, by doubling then bisection.
func discreteQuantile(_ p: Double, upper: Int, cdf: (Int) -> Double) -> Int {
    precondition(p >= 0 && p <= 1)
    if cdf(0) >= p { return 0 }
    var high = 1
    while high < upper && cdf(high) < p { high = min(upper, high * 2) }
    var low = high / 2  // cdf(low) < p
    while high - low > 1 {
        let middle = low + (high - low) / 2
        if cdf(middle) >= p { high = middle } else { low = middle }
    }
    return high
}
