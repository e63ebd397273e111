import Foundation
import Testing
@testable import VerdictStats

@Suite struct BootstrapTests {
    /// Deterministic skewed samples (latency-like), from a fixed generator.
    static func sample(_ n: Int, scale: Double, seed: UInt64) -> [Double] {
        var generator = SplitMix(seed: seed)
        return (0..<n).map { _ in
            let u = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
            return -scale * log(u)  // exponential
        }
    }

    @Test func sameSeedSameIntervalOtherSeedClose() throws {
        let a = Self.sample(800, scale: 200, seed: 1), b = Self.sample(900, scale: 170, seed: 2)
        let first = try #require(Bootstrap.quantileDifference(control: a, treatment: b, p: 0.95, seed: 7))
        let again = try #require(Bootstrap.quantileDifference(control: a, treatment: b, p: 0.95, seed: 7))
        #expect(first.difference == again.difference)
        #expect(first.relative == again.relative)
        let other = try #require(Bootstrap.quantileDifference(control: a, treatment: b, p: 0.95, seed: 8))
        #expect(other.difference != first.difference)
        #expect(abs(other.difference.low - first.difference.low) < 0.2 * abs(first.difference.value))
    }

    @Test func intervalHoldsTheTrueDifferenceAndTheEstimate() throws {
        // Exponential p95 = scale · ln 20: 200 → 599.1, 150 → 449.4; the true change is -25%.
        let a = Self.sample(20_000, scale: 200, seed: 3), b = Self.sample(20_000, scale: 150, seed: 4)
        let result = try #require(Bootstrap.quantileDifference(control: a, treatment: b, p: 0.95, seed: 1))
        let trueDifference = 150 * log(20.0) - 200 * log(20.0)
        #expect(result.difference.low < trueDifference && trueDifference < result.difference.high)
        #expect(result.difference.low < result.difference.value && result.difference.value < result.difference.high)
        let relative = try #require(result.relative)
        #expect(relative.low < -0.25 && -0.25 < relative.high)
        #expect(relative.pValue < 0.01)
        #expect(relative.high - relative.low < 0.08)
    }

    @Test func noDifferenceIsNotSignificant() throws {
        let a = Self.sample(3000, scale: 100, seed: 5), b = Self.sample(3000, scale: 100, seed: 6)
        let result = try #require(Bootstrap.quantileDifference(control: a, treatment: b, p: 0.5, seed: 1))
        #expect(result.difference.low < 0 && 0 < result.difference.high)
        #expect(result.difference.pValue > 0.05)
    }

    @Test func quantilesAndEdges() {
        #expect(Bootstrap.quantile(sorted: [1, 2, 3, 4], 0.5) == 2.5)
        #expect(Bootstrap.quantile(sorted: [10], 0.95) == 10)
        #expect(Bootstrap.quantileDifference(control: [], treatment: [1], p: 0.5) == nil)
        let constant = Bootstrap.quantileDifference(control: [0, 0, 0], treatment: [1, 1, 1], p: 0.5)
        #expect(constant?.difference.value == 1)
        #expect(constant?.relative == nil)  // the control's quantile is 0
    }
}
