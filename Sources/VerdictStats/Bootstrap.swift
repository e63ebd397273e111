import CVerdictHash
/// A deterministic, seeded percentile bootstrap for quantiles (p95 latency, median page load).
///
/// The same data and seed always give the same interval, so a report computed twice agrees
/// with itself. Each replicate resamples both arms with replacement; instead of sorting each
/// resample it counts how often each (sorted) original value was drawn and walks the counts
/// to the quantile's position.
public enum Bootstrap {
    /// The quantile comparison: the treatment's minus the control's p-quantile, and the relative
    /// change (nil when the control's quantile is 0), each with a percentile interval and a
    /// two-sided bootstrap p-value.
    public static func quantileDifference(
        control: [Double], treatment: [Double], p: Double, alpha: Double = 0.05, replicates: Int = 2000, seed: UInt64 = 1
    ) -> (difference: Estimate, relative: Estimate?)? {
        guard !control.isEmpty, !treatment.isEmpty, p >= 0, p <= 1, replicates >= 100 else { return nil }
        let a = control.sorted(), b = treatment.sorted()
        let observedA = quantile(sorted: a, p), observedB = quantile(sorted: b, p)
        var generator = SplitMix(seed: seed)
        var differences: [Double] = []
        var ratios: [Double] = []
        differences.reserveCapacity(replicates)
        var countsA = [Int](repeating: 0, count: a.count), countsB = [Int](repeating: 0, count: b.count)
        for _ in 0..<replicates {
            let qa = resampledQuantile(a, p, &countsA, &generator)
            let qb = resampledQuantile(b, p, &countsB, &generator)
            differences.append(qb - qa)
            if qa != 0 { ratios.append(qb / qa - 1) }
        }
        let difference = summarize(differences, estimate: observedB - observedA, alpha: alpha)
        let relative = observedA == 0 || ratios.count < replicates ? nil : summarize(ratios, estimate: observedB / observedA - 1, alpha: alpha)
        return (difference, relative)
    }

    /// The p-quantile of sorted (non-empty) values, interpolating linearly between order
    /// statistics (numpy's default): the one quantile of Verdict, for KPIs and `q:quantile`.
    public static func quantile(sorted values: [Double], _ p: Double) -> Double {
        let position = p * Double(values.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, values.count - 1)
        return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
    }

    private static func resampledQuantile(_ sorted: [Double], _ p: Double, _ counts: inout [Int], _ generator: inout SplitMix) -> Double {
        let n = sorted.count
        for index in 0..<n { counts[index] = 0 }
        for _ in 0..<n { counts[generator.below(n)] += 1 }
        let position = p * Double(n - 1)
        let lowerRank = Int(position.rounded(.down))
        let upperRank = min(lowerRank + 1, n - 1)
        var seen = 0
        var lowerValue = sorted[n - 1], upperValue = sorted[n - 1]
        var foundLower = false
        for index in 0..<n where counts[index] > 0 {
            seen += counts[index]
            if !foundLower && seen > lowerRank {
                lowerValue = sorted[index]
                foundLower = true
            }
            if seen > upperRank {
                upperValue = sorted[index]
                break
            }
        }
        return lowerValue + (upperValue - lowerValue) * (position - Double(lowerRank))
    }

    private static func summarize(_ replicates: [Double], estimate: Double, alpha: Double) -> Estimate {
        let sorted = replicates.sorted()
        let mean = sorted.reduce(0, +) / Double(sorted.count)
        let variance = sorted.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sorted.count - 1)
        let below = Double(sorted.filter { $0 <= 0 }.count) / Double(sorted.count)
        let above = Double(sorted.filter { $0 >= 0 }.count) / Double(sorted.count)
        return Estimate(
            value: estimate, standardError: variance.squareRoot(), low: quantile(sorted: sorted, alpha / 2),
            high: quantile(sorted: sorted, 1 - alpha / 2), pValue: min(1, 2 * min(below, above)), degreesOfFreedom: nil)
    }
}

/// SplitMix64: a small, fast, seedable generator; enough for resampling.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        vh_splitmix64_next(&state)
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-shift with rejection).
    mutating func below(_ bound: Int) -> Int {
        let limit = UInt64(bound)
        var product = next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold { product = next().multipliedFullWidth(by: limit) }
        }
        return Int(product.high)
    }
}
