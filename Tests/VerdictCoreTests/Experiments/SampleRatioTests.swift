import Testing
@testable import VerdictCore

/// Whether the arms' sizes break the design is decided once, in Core, for every surface.
@Suite struct SampleRatioTests {
    func report(pValue: Double?) -> ExperimentReport {
        ExperimentReport(
            changeID: "CHG-1", from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!, kpis: [],
            sampleRatioMismatch: pValue.map { (statistic: 12, pValue: $0) },
            verdict: Verdict(outcome: .inconclusive, reason: "", ruleHolds: [:]),
            recommendation: Recommendation(action: .rollback, reason: "", beyondVerdict: false, tolerance: 0.03), cohorts: [])
    }

    @Test func mismatchBelowTheThreshold() {
        #expect(report(pValue: 0.0009).hasSampleRatioMismatch)
        #expect(!report(pValue: 0.001).hasSampleRatioMismatch)
        #expect(!report(pValue: 0.2).hasSampleRatioMismatch)
        #expect(!report(pValue: nil).hasSampleRatioMismatch)  // before/after: no SRM
    }
}
