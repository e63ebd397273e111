import Foundation
import VerdictCore
import VerdictScript
import VerdictStats

/// An experiment report as `verdict report` prints it: a table, or JSON (docs/report-json.md).
struct ReportRendering {
    let report: ExperimentReport
    let declaration: ExperimentDeclaration
    /// Per KPI (in the report's order), its figures day by day; empty unless asked for.
    var daily: [[(day: LocalDay, result: KPIResult)]] = []
    /// Today, to say whether outcomes are still arriving.
    var today: LocalDay?
    /// The document as every surface shows it (`Lifecycle.onRecord`): its verdict and
    /// recommendation are the recorded ones once a verdict is on record for the window.
    var shown: ReportDocument?

    func text() -> String {
        var lines = [
            "\(report.changeID)  \(declaration.title)  \(report.from) .. \(report.to)",
            "",
        ]
        let table = TableOutput(
            headers: ["kpi", "role", "control", "treatment", "change", "interval", "p-value", "MDE", "rule"],
            rows: report.kpis.map(row), numericColumns: [])
        lines.append(table.text())
        for (cohort, kpis) in report.cohorts {
            lines.append("cohort \(cohort):")
            lines.append(TableOutput(headers: ["kpi", "role", "control", "treatment", "change", "interval", "p-value", "MDE", "rule"], rows: kpis.map(row)).text())
        }
        for (index, days) in daily.enumerated() where !days.isEmpty {
            lines.append("\(report.kpis[index].kpi.name), day by day:")
            lines.append(TableOutput(
                headers: ["day", "control", "treatment", "change"],
                rows: days.map { day, result in
                    [day.description, result.kpi.shownArm(value: result.control.value, n: result.control.n, compact: true),
                     result.kpi.shownArm(value: result.treatment.value, n: result.treatment.n, compact: true),
                     result.relativeChange.map(signedPercent) ?? result.absoluteChange.map { signedValue($0, result.kpi) } ?? "—"]
                }).text())
        }
        var tests: [(test: String, kpis: [String])] = []
        for result in report.kpis {
            guard let test = result.test else { continue }
            if let index = tests.firstIndex(where: { $0.test == test }) {
                tests[index].kpis.append(result.kpi.name)
            } else {
                tests.append((test, [result.kpi.name]))
            }
        }
        if report.kpis.contains(where: { if case .count = $0.kpi.kind { true } else if case .dailyCount = $0.kpi.kind { true } else { false } }) {
            lines.append("counts: what each arm counted, then (scaled) a day at full traffic: its events over its days and its share of the traffic, as the forecast's per day; their change compares the scaled figures")
        }
        if !tests.isEmpty {
            lines.append(
                "intervals, p-value and chance, each KPI's from one distribution: "
                    + tests.map { "\($0.test) for \($0.kpis.joined(separator: ", "))" }.joined(separator: "; "))
        }
        if let srm = report.sampleRatioMismatch {
            let figures = "sample ratio: χ² = \(format(srm.statistic, digits: 2)), p = \(format(srm.pValue, digits: 3))"
            let cutOff = FigureText.number(ExperimentReport.sampleRatioMismatchThreshold, digits: 3, trimmed: true)
            if report.hasSampleRatioMismatch {
                lines.append(figures + " < \(cutOff): MISMATCH, the arms are not the sizes the design intended; check the flag before trusting anything else")
            } else if report.sampleRatioJudged {
                lines.append(figures + " (as designed: a mismatch needs p < \(cutOff))")
            } else {
                lines.append(figures + " (not judged: fewer than \(ExperimentReport.sampleRatioMinimumPerArm) per arm)")
            }
        }
        for unknown in report.unknownEvents {
            lines.append("warning: \(unknown)")
        }
        lines.append("")
        if let through = report.outcomesThrough {
            let arriving = today.map { $0 <= through } ?? false
            lines.append(
                "outcome lag: outcomes counted through \(through)"
                    + (arriving ? "; they are still arriving, so this verdict is provisional until after \(through)" : ""))
        }
        if let value = shown?.value ?? report.value { lines.append("value: \(value.sentence)") }
        if let timeline = shown?.timeline { lines.append("timeline: \(timeline.sentence)") }
        if let shown {
            let recorded = shown.verdict.recordedAt.map { " (recorded \($0))" } ?? ""
            lines.append("verdict: \(shown.verdict.outcome.uppercased()) — \(shown.verdict.reason)\(recorded)")
            if let today = shown.verdictFromToday {
                lines.append("today's data would give: \(today.outcome.uppercased()) — \(today.reason)")
            }
            lines.append("recommendation: \(shown.recommendation.action.uppercased()) — \(shown.recommendation.reason)")
        } else {
            lines.append("verdict: \(report.verdict.outcome.rawValue.uppercased()) — \(report.verdict.reason)")
            lines.append("recommendation: \(report.recommendation.action.rawValue.uppercased()) — \(report.recommendation.reason)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func row(_ result: KPIResult) -> [String] {
        let change = result.relativeChange.map(signedPercent) ?? result.absoluteChange.map { signedValue($0, result.kpi) } ?? "—"
        let interval = result.relative.map { "[\(signedPercent($0.low)), \(signedPercent($0.high))]" }
            ?? result.difference.flatMap { $0.low.isNaN ? nil : "[\(signedValue($0.low, result.kpi)), \(signedValue($0.high, result.kpi))]" } ?? "—"
        let p = result.pValue.map { format($0, digits: 3) } ?? "—"
        let holds = report.verdict.ruleHolds[result.kpi.name].map { $0.map { $0 ? "holds" : "fails" } ?? "undecided" } ?? ""
        return [
            result.kpi.name, result.role.rawValue, result.kpi.shownArm(value: result.control.value, n: result.control.n, compact: true),
            result.kpi.shownArm(value: result.treatment.value, n: result.treatment.n, compact: true), change, interval, p,
            result.minimumDetectableEffect.flatMap { $0.isFinite ? "±" + percent($0) : nil } ?? "—", holds,
        ]
    }


    private func signedValue(_ v: Double, _ kpi: KPI) -> String { kpi.shownChange(v) }

    private func percent(_ v: Double) -> String { FigureText.percent(v) }
    private func signedPercent(_ v: Double) -> String { FigureText.percent(v, signed: true) }
    private func format(_ v: Double, digits: Int) -> String { FigureText.number(v, digits: digits) }
}
