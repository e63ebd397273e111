import Foundation

/// Special functions the distributions are built on. Each returns both tails computed
/// directly, so that a probability far into a tail keeps its relative precision instead of
/// being lost in `1 - p`.
enum Special {
    static let epsilon = 1e-16
    static let tiny = 1e-300
    static let maximumIterations = 100_000

    /// ln Γ(x) for x > 0.
    static func logGamma(_ x: Double) -> Double { lgamma(x) }

    /// The regularised incomplete gamma functions: P(a, x) and Q(a, x) = 1 - P(a, x).
    static func gamma(_ a: Double, _ x: Double) -> (lower: Double, upper: Double) {
        precondition(a > 0)
        if x <= 0 { return (0, 1) }
        if x.isInfinite { return (1, 0) }
        let front = exp(-x + a * log(x) - logGamma(a))
        if x < a + 1 {
            // Series: P = front · Σ xⁿ / (a (a+1) ... (a+n)).
            var term = 1 / a
            var sum = term
            var denominator = a
            for _ in 0..<maximumIterations {
                denominator += 1
                term *= x / denominator
                sum += term
                if abs(term) < abs(sum) * epsilon { break }
            }
            let lower = min(1, front * sum)
            return (lower, 1 - lower)
        }
        // Continued fraction for Q (modified Lentz).
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...maximumIterations {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        let upper = min(1, front * h)
        return (1 - upper, upper)
    }

    /// The regularised incomplete beta function I_x(a, b) and its complement 1 - I_x(a, b).
    static func beta(_ x: Double, _ a: Double, _ b: Double) -> (lower: Double, upper: Double) {
        precondition(a > 0 && b > 0)
        if x <= 0 { return (0, 1) }
        if x >= 1 { return (1, 0) }
        let front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log1p(-x))
        if x < (a + 1) / (a + b + 2) {
            let lower = min(1, front * betaFraction(x, a, b) / a)
            return (lower, 1 - lower)
        }
        let upper = min(1, front * betaFraction(1 - x, b, a) / b)
        return (1 - upper, upper)
    }

    /// The continued fraction of the incomplete beta function (modified Lentz).
    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...maximumIterations {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }

    /// The x in [low, high] where an increasing function `f` equals `target`: bisection, sped up
    /// by Newton steps when `derivative` is given and the step stays inside the bracket.
    static func solve(
        _ target: Double, low: Double, high: Double, _ f: (Double) -> Double, derivative: ((Double) -> Double)? = nil
    ) -> Double {
        var low = low
        var high = high
        var x = (low + high) / 2
        for _ in 0..<400 {
            let value = f(x)
            if value == target { return x }
            if value < target { low = x } else { high = x }
            var next = (low + high) / 2
            if let derivative {
                let slope = derivative(x)
                if slope > 0 && slope.isFinite {
                    let newton = x - (value - target) / slope
                    if newton > low && newton < high { next = newton }
                }
            }
            // Relative tolerance: a quantile of 1e-20 needs as many digits as one of 20.
            let scale = max(abs(low), abs(high), 1e-300)
            if abs(next - x) <= 1e-15 * abs(x) || high - low <= 1e-15 * scale { return next }
            x = next
        }
        return x
    }
}
