import Testing
@testable import VerdictStats

/// The relative change's exact posterior, against scipy's quadrature and closed forms
/// (Fixtures/make_posterior_reference.py), and the agreement of every figure drawn from it.
@Suite struct PosteriorTests {
    static let reference: [String: [[String: Double]]] = ReferenceValues.load("posteriors.json")

    /// Probabilities to 5e-6 (a rate of 100%, where the density stops at its support's end, is the hardest); quantiles where the distribution is 5e-6 from its level (a tail's
    /// quantile moves by that over the density there) and to 1e-4 of their value; expected
    /// gains and drops to 1e-5.
    private func check(_ posterior: TwoArmPosterior, _ c: [String: Double], _ what: String) {
        #expect(abs(posterior.distribution(0) - c["below_zero"]!) < 5e-6, "\(what) P(change ≤ 0) \(posterior.distribution(0)) \(c)")
        for (level, key) in [(0.025, "low"), (0.975, "high")] {
            #expect(abs(posterior.distribution(c[key]!) - level) < 5e-6, "\(what) P(change ≤ reference \(key)) \(posterior.distribution(c[key]!) - level) \(c)")
            expectClose(posterior.quantile(level), c[key]!, relative: 1e-4, absolute: 1e-9, "\(what) \(key) \(c)")
        }
        for (level, key) in [(0.025, "diff_low"), (0.975, "diff_high")] {
            #expect(abs(posterior.differenceDistribution(c[key]!) - level) < 5e-6, "\(what) P(difference ≤ reference \(key)) \(c)")
            expectClose(posterior.differenceQuantile(level), c[key]!, relative: 1e-4, absolute: 1e-9, "\(what) \(key) \(c)")
        }
        expectClose(posterior.expectedGain ?? .nan, c["gain"]!, relative: 1e-5, absolute: 1e-9, "\(what) gain \(c)")
        expectClose(posterior.expectedDrop ?? .nan, c["drop"]!, relative: 1e-5, absolute: 1e-9, "\(what) drop \(c)")
    }

    @Test func ratesAsScipysQuadrature() throws {
        let cases = Self.reference["rates"] ?? []
        #expect(cases.count == 12)
        for c in cases {
            let posterior = try #require(TwoArmPosterior.rates(
                control: (Int(c["c0"]!), Int(c["n0"]!)), treatment: (Int(c["c1"]!), Int(c["n1"]!))))
            check(posterior, c, "rates")
        }
    }

    @Test func countsAsTheBetaPrimeClosedForm() throws {
        let cases = Self.reference["counts"] ?? []
        #expect(cases.count == 8)
        for c in cases {
            let posterior = try #require(TwoArmPosterior.counts(
                control: (Int(c["c0"]!), c["n0"]!), treatment: (Int(c["c1"]!), c["n1"]!)))
            check(posterior, c, "counts")
        }
    }

    @Test func noComparisonWithoutAControlValue() {
        // A control that saw nothing: no relative change, but a chance and an absolute change.
        let rates = TwoArmPosterior.rates(control: (0, 40), treatment: (3, 40))
        #expect(rates?.relative(observed: .infinity) == nil && rates?.expectedGain == nil && rates?.expectedDrop == nil)
        #expect((rates?.chanceHigher ?? 0) > 0.9 && (rates?.absolute(observed: 0.075).low ?? -1) < 0.075)
        let counts = TwoArmPosterior.counts(control: (0, 7), treatment: (3, 7))
        #expect(counts?.relative(observed: .infinity) == nil && counts?.expectedGain == nil)
        #expect(TwoArmPosterior.rates(control: (3, 0), treatment: (3, 40)) == nil)
        #expect(TwoArmPosterior.counts(control: (3, 7), treatment: (3, 0)) == nil)
    }

    /// Over a grid of small counts, the interval excludes 0 exactly when the chance the change is
    /// higher is outside [2.5%, 97.5%], and exactly when the two-sided tail is below 5%.
    @Test func intervalChanceAndTailAgreeOverSmallCounts() throws {
        var checked = 0, excluding = 0
        for n0 in [5, 40] {
            for n1 in [5, 12] {
                for s0 in stride(from: 1, through: n0, by: max(1, n0 / 6)) {
                    for s1 in stride(from: 0, through: n1, by: max(1, n1 / 6)) {
                        let posterior = try #require(TwoArmPosterior.rates(control: (s0, n0), treatment: (s1, n1)))
                        agree(try #require(posterior.relative(observed: Double(s1 * n0) / Double(s0 * n1) - 1)), posterior.chanceHigher, "rates \(s0)/\(n0) vs \(s1)/\(n1)")
                        let observed = Double(s1) / Double(n1) - Double(s0) / Double(n0)
                        agree(posterior.absolute(observed: observed), posterior.chanceHigher, "rates, absolute, \(s0)/\(n0) vs \(s1)/\(n1)")
                        let counts = try #require(TwoArmPosterior.counts(control: (s0, Double(n0) / 5), treatment: (s1, Double(n1) / 5)))
                        agree(try #require(counts.relative(observed: 0)), counts.chanceHigher, "counts \(s0) vs \(s1)")
                        agree(counts.absolute(observed: 0), counts.chanceHigher, "counts, absolute, \(s0) vs \(s1)")
                        checked += 4
                        if let r = posterior.relative(observed: 0), r.low > 0 || r.high < 0 { excluding += 1 }
                    }
                }
            }
        }
        #expect(checked > 150)
        #expect(excluding > 10, "the grid must hold changes that are clear, not only ones that are not")
    }

    private func agree(_ estimate: Estimate, _ chance: Double, _ what: String) {
        let excludes = estimate.low > 0 || estimate.high < 0
        let outside = chance > 0.975 || chance < 0.025
        #expect(excludes == outside, "\(what): interval [\(estimate.low), \(estimate.high)], chance \(chance)")
        #expect(excludes == (estimate.pValue < 0.05), "\(what): interval [\(estimate.low), \(estimate.high)], tail \(estimate.pValue)")
    }

    @Test func theTsPositivePartAsItsIntegral() throws {
        // E[max(0, m + T)] by the trapezoid rule over a wide range, for a few shifts and dofs.
        for nu in [2.5, 7.0, 60.0] {
            let t = StudentT(degreesOfFreedom: nu)
            for m in [-3.0, -0.4, 0, 1.2] {
                var sum = 0.0
                let step = 0.001
                for i in 0..<400_000 {
                    let x = -m + Double(i) * step
                    sum += (m + x) * t.pdf(x) * step * (i == 0 ? 0.5 : 1)
                }
                expectClose(try #require(t.positivePart(shift: m)), sum, relative: 2e-3, "t positive part nu \(nu) m \(m)")
            }
        }
        #expect(StudentT(degreesOfFreedom: 1).positivePart(shift: 0) == nil)
    }
}
