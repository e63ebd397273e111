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

    /// A user saw "(as designed)" at p = 0.041 and could not tell the cut-off. It is p < 0.001,
    /// and only with at least 50 units in every arm: below that the check is not judged.
    @Test func judgedOnlyWithEnoughPerArm() {
        var few = report(pValue: 0.0001)
        few.sampleRatioUnits = [12, 40]
        #expect(!few.sampleRatioJudged && !few.hasSampleRatioMismatch)
        var enough = report(pValue: 0.0001)
        enough.sampleRatioUnits = [50, 90]
        #expect(enough.sampleRatioJudged && enough.hasSampleRatioMismatch)
        var calm = report(pValue: 0.041)
        calm.sampleRatioUnits = [300, 350]
        #expect(calm.sampleRatioJudged && !calm.hasSampleRatioMismatch)
        #expect(ExperimentReport.sampleRatioMismatchThreshold == 0.001 && ExperimentReport.sampleRatioMinimumPerArm == 50)
    }
}
