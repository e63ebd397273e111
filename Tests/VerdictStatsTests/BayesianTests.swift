import Foundation
import Testing
@testable import VerdictStats

/// The posterior, chance to win and risks against gbstats 0.8.0 (Fixtures/bayesian.json, made by
/// make_bayesian_reference.py): to 1e-6 relative, or 1e-12 absolute for values that small (a
/// risk of 1e-50, which gbstats rounds to 0).
@Suite struct BayesianTests {
    struct Case: Decodable {
        var kind: String
        var prior: String
        var inverse: Bool
        var alpha: Double
        var n0: Int
        var mean0: Double
        var var0: Double
        var n1: Int
        var mean1: Double
        var var1: Double
        var error: String?
        var expected: Double?
        var stddev: Double?
        var ci_low: Double?
        var ci_high: Double?
        var chance_to_win: Double?
        var risk_control: Double?
        var risk_treatment: Double?
    }

    static let cases: [Case] = {
        struct File: Decodable { var bayesian: [Case] }
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/bayesian.json")
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).bayesian
    }()

    static let priors: [String: EffectPrior] = [
        "flat": .flat, "proper": .growthBook, "skeptical": EffectPrior(mean: 0.02, variance: 0.01, proper: true),
    ]

    @Test func matchesGbstats() throws {
        #expect(Self.cases.count > 200)
        for c in Self.cases {
            let what = "\(c.kind) \(c.n0)/\(c.mean0) vs \(c.n1)/\(c.mean1) \(c.prior)\(c.inverse ? " inverse" : "")"
            let result = BayesianComparison.relative(
                control: ArmSummary(n: c.n0, mean: c.mean0, variance: c.var0), treatment: ArmSummary(n: c.n1, mean: c.mean1, variance: c.var1),
                prior: try #require(Self.priors[c.prior]), lowerIsBetter: c.inverse, alpha: c.alpha)
            guard c.error == nil else {
                #expect(result == nil, "\(what): gbstats gives no result (\(c.error!))")
                continue
            }
            let r = try #require(result, "\(what)")
            expectClose(r.expected, c.expected!, absolute: 1e-12, "\(what) expected")
            expectClose(r.standardDeviation, c.stddev!, absolute: 1e-12, "\(what) stddev")
            expectClose(r.low, c.ci_low!, absolute: 1e-12, "\(what) ci low")
            expectClose(r.high, c.ci_high!, absolute: 1e-12, "\(what) ci high")
            expectClose(r.chanceToWin, c.chance_to_win!, absolute: 1e-12, "\(what) chance to win")
            expectClose(r.riskOfControl, c.risk_control!, absolute: 1e-12, "\(what) risk of control")
            expectClose(r.riskOfTreatment, c.risk_treatment!, absolute: 1e-12, "\(what) risk of treatment")
        }
    }

    @Test func noResultWhereTheRelativeEffectIsUndefined() {
        let some = ArmSummary.proportion(successes: 10, trials: 40)
        #expect(BayesianComparison.relative(control: .proportion(successes: 0, trials: 40), treatment: some) == nil)
        #expect(BayesianComparison.relative(control: some, treatment: .proportion(successes: 0, trials: 40)) == nil)
        #expect(BayesianComparison.relative(control: ArmSummary(n: 0, mean: 0, variance: 0), treatment: some) == nil)
    }

    /// The two risks are the posterior's positive and negative parts: their difference is the
    /// posterior mean, in the tails too, where the direct formula would cancel.
    @Test func risksAddUpFarInTheTails() {
        for t in [-40.0, -12, -6, -5.01, -4.99, -1, 0, 2, 9, 38] {
            let gain = BayesianComparison.positivePart(mean: t * 0.1, sd: 0.1)
            let loss = BayesianComparison.positivePart(mean: -t * 0.1, sd: 0.1)
            #expect(gain >= 0 && loss >= 0)
            #expect(abs((gain - loss) - t * 0.1) <= 1e-15 * max(1, abs(t)), "t = \(t)")
        }
        // Far below zero, E[max(X, 0)] = sd·φ(t)/t²·(1 - 3/t² + 15/t⁴ - ...), asymptotically.
        let t = -12.0
        let tail = BayesianComparison.positivePart(mean: t, sd: 1)
        #expect(abs(tail / (Normal.pdf(t) / (t * t) * (1 - 3 / (t * t) + 15 / pow(t, 4))) - 1) < 1e-4)
    }
}
