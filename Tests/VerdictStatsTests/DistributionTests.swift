import Testing
import VerdictStats

/// Every distribution function against scipy, into the far tails.
@Suite struct DistributionTests {
    @Test func normal() {
        let cases = ReferenceValues.cases("normal")
        #expect(cases.count > 20)
        for c in cases {
            expectClose(Normal.cdf(c["x"]!), c["cdf"]!, "Φ(\(c["x"]!))")
            expectClose(Normal.sf(c["x"]!), c["sf"]!, "1 - Φ(\(c["x"]!))")
            expectClose(Normal.pdf(c["x"]!), c["pdf"]!, "φ(\(c["x"]!))")
        }
        for c in ReferenceValues.cases("normal_quantiles") {
            expectClose(Normal.quantile(c["p"]!), c["x"]!, absolute: 1e-12, "Φ⁻¹(\(c["p"]!))")
        }
    }

    @Test func studentT() {
        for c in ReferenceValues.cases("student_t") {
            let t = StudentT(degreesOfFreedom: c["df"]!)
            expectClose(t.cdf(c["x"]!), c["cdf"]!, "T\(c["df"]!) cdf(\(c["x"]!))")
            expectClose(t.sf(c["x"]!), c["sf"]!, "T\(c["df"]!) sf(\(c["x"]!))")
            expectClose(t.pdf(c["x"]!), c["pdf"]!, "T\(c["df"]!) pdf(\(c["x"]!))")
        }
        for c in ReferenceValues.cases("student_t_quantiles") {
            expectClose(StudentT(degreesOfFreedom: c["df"]!).quantile(c["p"]!), c["x"]!, absolute: 1e-12, "T\(c["df"]!) quantile(\(c["p"]!))")
        }
    }

    @Test func chiSquared() {
        for c in ReferenceValues.cases("chi2") {
            let chi = ChiSquared(degreesOfFreedom: c["df"]!)
            expectClose(chi.cdf(c["x"]!), c["cdf"]!, "χ²\(c["df"]!) cdf(\(c["x"]!))")
            expectClose(chi.sf(c["x"]!), c["sf"]!, "χ²\(c["df"]!) sf(\(c["x"]!))")
            expectClose(chi.pdf(c["x"]!), c["pdf"]!, "χ²\(c["df"]!) pdf(\(c["x"]!))")
        }
        for c in ReferenceValues.cases("chi2_quantiles") {
            expectClose(ChiSquared(degreesOfFreedom: c["df"]!).quantile(c["p"]!), c["x"]!, "χ²\(c["df"]!) quantile(\(c["p"]!))")
        }
    }

    @Test func binomial() {
        for c in ReferenceValues.cases("binomial") {
            let b = Binomial(trials: Int(c["n"]!), probability: c["p"]!)
            let k = Int(c["k"]!)
            expectClose(b.pmf(k), c["pmf"]!, "B(\(b.trials), \(b.probability)) pmf(\(k))")
            expectClose(b.cdf(k), c["cdf"]!, "B(\(b.trials), \(b.probability)) cdf(\(k))")
            expectClose(b.sf(k), c["sf"]!, "B(\(b.trials), \(b.probability)) sf(\(k))")
        }
        for c in ReferenceValues.cases("binomial_quantiles") {
            #expect(Binomial(trials: Int(c["n"]!), probability: c["p"]!).quantile(c["q"]!) == Int(c["k"]!))
        }
    }

    @Test func poisson() {
        for c in ReferenceValues.cases("poisson") {
            let p = Poisson(mean: c["mean"]!)
            let k = Int(c["k"]!)
            expectClose(p.pmf(k), c["pmf"]!, "Poisson(\(p.mean)) pmf(\(k))")
            expectClose(p.cdf(k), c["cdf"]!, "Poisson(\(p.mean)) cdf(\(k))")
            expectClose(p.sf(k), c["sf"]!, "Poisson(\(p.mean)) sf(\(k))")
        }
        for c in ReferenceValues.cases("poisson_quantiles") {
            #expect(Poisson(mean: c["mean"]!).quantile(c["q"]!) == Int(c["k"]!))
        }
    }
}
