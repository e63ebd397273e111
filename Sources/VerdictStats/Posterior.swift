import Foundation

/// One arm's posterior on a grid: its density at evenly spaced points and their midpoints over
/// where it is within e^-40 of its mode, taken as quadratic on each segment, so that its distribution
/// function, its mean and its partial expectations are exact integrals of that piecewise
/// quadratic (Simpson's rule, error of order h⁴).
struct GridDensity: Sendable {
    let start: Double
    let step: Double
    /// The density at each point and at each segment's midpoint, normalized to integrate to 1.
    let pdf: [Double]
    let middle: [Double]
    /// The distribution function at each point.
    let cdf: [Double]
    /// E[max(0, Y − x)] at each point x.
    let upper: [Double]
    let mean: Double

    /// The grid of a density known up to a constant by its logarithm, over `low`...`high`.
    init(low: Double, high: Double, points: Int = 513, logDensity: (Double) -> Double) {
        precondition(high > low && points > 2)
        let step = (high - low) / Double(points - 1)
        start = low
        self.step = step
        var nodes = (0..<points).map { logDensity(low + Double($0) * step) }
        var middles = (0..<(points - 1)).map { logDensity(low + (Double($0) + 0.5) * step) }
        let top = max(nodes.filter(\.isFinite).max() ?? 0, middles.filter(\.isFinite).max() ?? 0)
        for i in nodes.indices { nodes[i] = nodes[i].isFinite ? exp(nodes[i] - top) : 0 }
        for i in middles.indices { middles[i] = middles[i].isFinite ? exp(middles[i] - top) : 0 }
        var cumulative = [Double](repeating: 0, count: points)
        for j in 0..<(points - 1) { cumulative[j + 1] = cumulative[j] + step * (nodes[j] + 4 * middles[j] + nodes[j + 1]) / 6 }
        let total = cumulative[points - 1]
        pdf = nodes.map { $0 / total }
        middle = middles.map { $0 / total }
        cdf = cumulative.map { $0 / total }
        var upper = [Double](repeating: 0, count: points)
        for j in stride(from: points - 2, through: 0, by: -1) {
            upper[j] = upper[j + 1] + Self.upperPiece(step, cdf[j], pdf[j], middle[j], pdf[j + 1], step)
        }
        self.upper = upper
        mean = low + upper[0]
    }

    /// The quadratic through a segment's three densities: f(t) = f0 + b t + c t².
    private static func coefficients(_ h: Double, _ f0: Double, _ fm: Double, _ f1: Double) -> (b: Double, c: Double) {
        ((4 * fm - 3 * f0 - f1) / h, 2 * (f0 + f1 - 2 * fm) / (h * h))
    }

    /// ∫ from 0 to t of (1 − F(x_j + s)) ds on segment j.
    private static func upperPiece(_ h: Double, _ F0: Double, _ f0: Double, _ fm: Double, _ f1: Double, _ t: Double) -> Double {
        let (b, c) = coefficients(h, f0, fm, f1)
        return t * (1 - F0) - f0 * t * t / 2 - b * t * t * t / 6 - c * t * t * t * t / 12
    }

    private func locate(_ y: Double) -> (index: Int, offset: Double)? {
        let position = (y - start) / step
        guard position >= 0, position < Double(pdf.count - 1) else { return nil }
        let index = Int(position)
        return (index, y - (start + Double(index) * step))
    }

    /// P(Y ≤ y).
    func distribution(_ y: Double) -> Double {
        guard let (j, t) = locate(y) else { return y < start ? 0 : 1 }
        let (b, c) = Self.coefficients(step, pdf[j], middle[j], pdf[j + 1])
        return min(1, max(0, cdf[j] + pdf[j] * t + b * t * t / 2 + c * t * t * t / 3))
    }

    /// The density at y.
    func density(_ y: Double) -> Double {
        guard let (j, t) = locate(y) else { return 0 }
        let (b, c) = Self.coefficients(step, pdf[j], middle[j], pdf[j + 1])
        return max(0, pdf[j] + b * t + c * t * t)
    }

    /// E[max(0, Y − x)].
    func upperPartial(_ x: Double) -> Double {
        guard let (j, t) = locate(x) else { return x < start ? mean - x : 0 }
        return max(0, upper[j] - Self.upperPiece(step, cdf[j], pdf[j], middle[j], pdf[j + 1], t))
    }

    /// Every point and midpoint with its Simpson weight: what a sum over the density integrates
    /// with.
    var weighted: [(x: Double, weight: Double)] {
        var points: [(x: Double, weight: Double)] = []
        points.reserveCapacity(2 * pdf.count)
        for j in pdf.indices {
            let ends = (j == 0 || j == pdf.count - 1) ? 1.0 : 2.0
            points.append((start + Double(j) * step, pdf[j] * step * ends / 6))
            if j < middle.count { points.append((start + (Double(j) + 0.5) * step, middle[j] * step * 4 / 6)) }
        }
        return points
    }

    /// The grid of a unimodal density over where it is within e^-40 of its mode: from the mode
    /// out to each side (or to the support's end).
    static func around(mode: Double, support: ClosedRange<Double>, logDensity: @escaping (Double) -> Double) -> GridDensity {
        let top = logDensity(mode)
        func edge(towards end: Double) -> Double {
            if logDensity(end) >= top - 40 { return end }
            var inner = mode, outer = end
            if !outer.isFinite {
                // Step out until the density is low enough.
                var width = max(abs(mode), 1) * 0.01
                outer = mode + (end > mode ? width : -width)
                while logDensity(outer) >= top - 40 { width *= 2; outer = mode + (end > mode ? width : -width) }
            }
            for _ in 0..<200 {
                let middle = (inner + outer) / 2
                if logDensity(middle) >= top - 40 { inner = middle } else { outer = middle }
                if abs(outer - inner) <= 1e-15 * max(abs(outer), 1e-300) { break }
            }
            return outer
        }
        return GridDensity(low: edge(towards: support.lowerBound), high: edge(towards: support.upperBound), logDensity: logDensity)
    }

    /// A Beta(a, b) posterior (a, b ≥ 1).
    static func beta(_ a: Double, _ b: Double) -> GridDensity {
        let mode = a + b > 2 ? (a - 1) / (a + b - 2) : 0.5
        return around(mode: mode, support: 0...1) { x in
            x < 0 || x > 1 ? -.infinity : (a == 1 ? 0 : (a - 1) * log(x)) + (b == 1 ? 0 : (b - 1) * log1p(-x))
        }
    }

    /// A Gamma posterior of shape `shape` (≥ 1) and rate `rate`.
    static func gamma(shape: Double, rate: Double) -> GridDensity {
        around(mode: (shape - 1) / rate, support: 0...Double.infinity) { x in
            x < 0 ? -.infinity : (shape == 1 ? 0 : (shape - 1) * log(x)) - rate * x
        }
    }
}

/// Two arms' exact posteriors, and what they say of the change: the relative change,
/// treatment / control − 1, and the absolute one, treatment − control, each with its interval;
/// the chance the treatment is higher; the two-sided tail shown as the p-value; and the
/// expected losses. Figures drawn from one posterior cannot contradict each other: either
/// interval excludes 0 exactly when the chance is outside [alpha/2, 1 − alpha/2], and exactly
/// when the tail is below alpha (P(treatment − control ≤ 0) and P(treatment / control ≤ 1) are
/// one event).
///
/// - Rates (a share of customers or of events): each arm's rate is Beta(successes + 1,
///   failures + 1), the uniform prior.
/// - Counts over an exposure: each arm's rate is Gamma(count + 1, exposure), the flat prior.
///
/// The reference values (Tests/VerdictStatsTests/Fixtures/posteriors.json) are scipy's
/// quadrature of the same integrals; for counts, the ratio's distribution is also exact in
/// closed form (λ₁/λ₀ scaled is a beta prime variable), which the fixture checks too.
public struct TwoArmPosterior: Sendable {
    let control: GridDensity
    let treatment: GridDensity
    let controlPoints: [(x: Double, weight: Double)]
    /// Whether a relative change has a size: false when the control saw nothing (no success, no
    /// event), where the change relative to it has no finite expectation.
    public let relativeDefined: Bool

    init(control: GridDensity, treatment: GridDensity, relativeDefined: Bool) {
        self.control = control
        self.treatment = treatment
        self.relativeDefined = relativeDefined
        controlPoints = control.weighted
    }

    /// Two rates, each `successes` of `trials`. Nil without trials in an arm.
    public static func rates(
        control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int)
    ) -> TwoArmPosterior? {
        guard control.trials > 0, treatment.trials > 0, control.successes >= 0, control.successes <= control.trials,
            treatment.successes >= 0, treatment.successes <= treatment.trials
        else { return nil }
        return TwoArmPosterior(
            control: .beta(Double(control.successes + 1), Double(control.trials - control.successes + 1)),
            treatment: .beta(Double(treatment.successes + 1), Double(treatment.trials - treatment.successes + 1)),
            relativeDefined: control.successes > 0)
    }

    /// Two counts, each over its exposure (days, or the events of a denominator). Nil without
    /// exposure in an arm.
    public static func counts(
        control: (count: Int, exposure: Double), treatment: (count: Int, exposure: Double)
    ) -> TwoArmPosterior? {
        guard control.exposure > 0, treatment.exposure > 0, control.exposure.isFinite, treatment.exposure.isFinite,
            control.count >= 0, treatment.count >= 0
        else { return nil }
        return TwoArmPosterior(
            control: .gamma(shape: Double(control.count + 1), rate: control.exposure),
            treatment: .gamma(shape: Double(treatment.count + 1), rate: treatment.exposure),
            relativeDefined: control.count > 0)
    }

    /// P(change ≤ r).
    public func distribution(_ r: Double) -> Double {
        guard r > -1 else { return 0 }
        var total = 0.0
        for point in controlPoints { total += point.weight * treatment.distribution((1 + r) * point.x) }
        return min(1, max(0, total))
    }

    /// The density of the change at r.
    func density(_ r: Double) -> Double {
        guard r > -1 else { return 0 }
        var total = 0.0
        for point in controlPoints { total += point.weight * point.x * treatment.density((1 + r) * point.x) }
        return total
    }

    /// The change's p-quantile: Newton's method on log(1 + r), kept within a bisection bracket
    /// between the ratios of the grids' ends.
    public func quantile(_ p: Double) -> Double {
        let controlEnd = control.start + control.step * Double(control.pdf.count - 1)
        let treatmentEnd = treatment.start + treatment.step * Double(treatment.pdf.count - 1)
        var low = max(log(max(treatment.start, 1e-300) / controlEnd), -700), high = log(treatmentEnd / control.start)
        var s = log(max(treatment.mean, 1e-300) / control.mean)
        if !(s > low && s < high) { s = (low + high) / 2 }
        for _ in 0..<200 {
            let r = exp(s) - 1
            let gap = distribution(r) - p
            if gap < 0 { low = s } else { high = s }
            if abs(gap) < 1e-15 || high - low < 1e-13 { break }
            let slope = density(r) * exp(s)
            var next = slope > 0 ? s - gap / slope : .nan
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - s) < 1e-13 { s = next; break }
            s = next
        }
        return exp(s) - 1
    }

    /// The chance the treatment's value is higher than the control's.
    public var chanceHigher: Double { 1 - distribution(0) }

    /// E[max(0, change)]: how much higher on average, the cases where it is not higher counting
    /// as 0.
    public var expectedGain: Double? {
        guard relativeDefined else { return nil }
        return controlPoints.reduce(0) { $0 + $1.weight * treatment.upperPartial($1.x) / $1.x }
    }

    /// E[max(0, −change)]: how much lower on average, the cases where it is not lower counting
    /// as 0.
    public var expectedDrop: Double? {
        guard relativeDefined else { return nil }
        return controlPoints.reduce(0) { $0 + $1.weight * ($1.x - treatment.mean + treatment.upperPartial($1.x)) / $1.x }
    }

    /// The observed change with this posterior's equal-tailed interval at `alpha`, and as its
    /// p-value the two-sided tail, 2 min(P(change ≤ 0), P(change > 0)). Nil when the control saw
    /// nothing.
    public func relative(observed: Double, alpha: Double = 0.05) -> Estimate? {
        guard relativeDefined, observed.isFinite else { return nil }
        let below = distribution(0)
        let low = quantile(alpha / 2), high = quantile(1 - alpha / 2)
        return Estimate(
            value: observed, standardError: Self.equivalentError(low, high, alpha), low: low, high: high,
            pValue: min(1, 2 * min(below, 1 - below)))
    }

    /// P(treatment − control ≤ d).
    public func differenceDistribution(_ d: Double) -> Double {
        var total = 0.0
        for point in controlPoints { total += point.weight * treatment.distribution(point.x + d) }
        return min(1, max(0, total))
    }

    /// The density of treatment − control at d.
    func differenceDensity(_ d: Double) -> Double {
        var total = 0.0
        for point in controlPoints { total += point.weight * treatment.density(point.x + d) }
        return total
    }

    /// The p-quantile of treatment − control: Newton's method within a bisection bracket.
    public func differenceQuantile(_ p: Double) -> Double {
        let controlEnd = control.start + control.step * Double(control.pdf.count - 1)
        let treatmentEnd = treatment.start + treatment.step * Double(treatment.pdf.count - 1)
        var low = treatment.start - controlEnd, high = treatmentEnd - control.start
        var d = treatment.mean - control.mean
        let tolerance = 1e-13 * max(high - low, 1e-300)
        for _ in 0..<200 {
            let gap = differenceDistribution(d) - p
            if gap < 0 { low = d } else { high = d }
            if abs(gap) < 1e-15 || high - low < tolerance { break }
            let slope = differenceDensity(d)
            var next = slope > 0 ? d - gap / slope : .nan
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - d) < tolerance { d = next; break }
            d = next
        }
        return d
    }

    /// The observed absolute change with this posterior's equal-tailed interval at `alpha`, and
    /// the same two-sided tail as `relative`.
    public func absolute(observed: Double, alpha: Double = 0.05) -> Estimate {
        let below = distribution(0)
        let low = differenceQuantile(alpha / 2), high = differenceQuantile(1 - alpha / 2)
        return Estimate(
            value: observed, standardError: Self.equivalentError(low, high, alpha), low: low, high: high,
            pValue: min(1, 2 * min(below, 1 - below)))
    }

    /// The standard error a normal interval as wide would have: the interval's width over 2z.
    static func equivalentError(_ low: Double, _ high: Double, _ alpha: Double) -> Double {
        (high - low) / (2 * Normal.quantile(1 - alpha / 2))
    }
}

extension StudentT {
    /// E[max(0, m + T)] for T of this distribution: m·F(m) + (ν + m²)/(ν − 1)·f(m). Nil at one
    /// degree of freedom or fewer, where T has no mean.
    public func positivePart(shift m: Double) -> Double? {
        let nu = degreesOfFreedom
        guard nu > 1 else { return nil }
        return m * cdf(m) + (nu + m * m) / (nu - 1) * pdf(m)
    }
}
