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
                    [day.description, "\(valueText(result.control.value, result.kpi)) (n \(result.control.n))",
                     "\(valueText(result.treatment.value, result.kpi)) (n \(result.treatment.n))",
                     result.relative.map { signedPercent($0.value) } ?? "—"]
                }).text())
        }
        if let srm = report.sampleRatioMismatch {
            lines.append("sample ratio: χ² = \(format(srm.statistic, digits: 2)), p = \(format(srm.pValue, digits: 3))" + (report.hasSampleRatioMismatch ? "  MISMATCH: the arms are not the sizes the design intended; check the flag before trusting anything else" : " (as designed)"))
        }
        for unknown in report.unknownEvents {
            lines.append("warning: \(unknown)")
        }
        lines.append("")
        lines.append("verdict: \(report.verdict.outcome.rawValue.uppercased()) — \(report.verdict.reason)")
        return lines.joined(separator: "\n") + "\n"
    }

    private func row(_ result: KPIResult) -> [String] {
        let value = { (v: Double) in valueText(v, result.kpi) }
        let change = result.relative.map { signedPercent($0.value) } ?? result.difference.map { signedValue($0.value, result.kpi) } ?? "—"
        let interval = result.relative.map { "[\(signedPercent($0.low)), \(signedPercent($0.high))]" }
            ?? result.difference.flatMap { $0.low.isNaN ? nil : "[\(signedValue($0.low, result.kpi)), \(signedValue($0.high, result.kpi))]" } ?? "—"
        let p = (result.difference?.pValue ?? result.relative?.pValue).map { format($0, digits: 3) } ?? "—"
        let holds = report.verdict.ruleHolds[result.kpi.name].map { $0.map { $0 ? "holds" : "fails" } ?? "undecided" } ?? ""
        return [
            result.kpi.name, result.role.rawValue, "\(value(result.control.value)) (n \(result.control.n))",
            "\(value(result.treatment.value)) (n \(result.treatment.n))", change, interval, p,
            result.minimumDetectableEffect.map { "±" + percent($0) } ?? "—", holds,
        ]
    }

    var value: LuaValue {
        func number(_ x: Double?) -> LuaValue { x.map { $0.isFinite ? LuaValue.number($0) : .nil } ?? .nil }
        let kpis: [LuaValue] = report.kpis.enumerated().map { index, result in
            var fields: [String: LuaValue] = [
                "role": .string(result.role.rawValue),
                "name": .string(result.kpi.name),
                "arms": [
                    "control": ["n": .integer(Int64(result.control.n)), "value": number(result.control.value)],
                    "treatment": ["n": .integer(Int64(result.treatment.n)), "value": number(result.treatment.value)],
                ],
                "difference": [
                    "absolute": number(result.difference?.value),
                    "relative": number(result.relative?.value),
                    "ci_low": number(result.relative?.low),
                    "ci_high": number(result.relative?.high),
                    "absolute_ci_low": number(result.difference?.low),
                    "absolute_ci_high": number(result.difference?.high),
                ],
                "p_value": number(result.difference?.pValue ?? result.relative?.pValue),
                "mde": number(result.minimumDetectableEffect),
                "required_per_arm": number(result.requiredPerArm),
            ]
            if let holds = report.verdict.ruleHolds[result.kpi.name] {
                fields["rule_holds"] = holds.map(LuaValue.boolean) ?? .nil
            }
            if index < daily.count {
                fields["daily"] = .array(daily[index].map { day, result in
                    [
                        "day": .string(day.description),
                        "control": ["n": .integer(Int64(result.control.n)), "value": number(result.control.value)],
                        "treatment": ["n": .integer(Int64(result.treatment.n)), "value": number(result.treatment.value)],
                        "relative": number(result.relative?.value), "ci_low": number(result.relative?.low),
                        "ci_high": number(result.relative?.high),
                    ]
                })
            }
            return .table(fields)
        }
        var root: [String: LuaValue] = [
            "change_id": .string(report.changeID),
            "window": ["from": .string(report.from.description), "to": .string(report.to.description)],
            "verdict": ["outcome": .string(report.verdict.outcome.rawValue), "reason": .string(report.verdict.reason)],
            "kpis": .array(kpis),
        ]
        if let srm = report.sampleRatioMismatch {
            root["srm"] = [
                "statistic": number(srm.statistic), "p_value": number(srm.pValue),
                "mismatch": .boolean(report.hasSampleRatioMismatch),
            ]
        }
        root["unknown_events"] = .array(
            report.unknownEvents.map {
                ["kpi": .string($0.kpi), "role": .string($0.role), "event": .string($0.event), "closest": .array($0.closest.map(LuaValue.string))]
            })
        return .table(root)
    }

    private func valueText(_ v: Double, _ kpi: KPI) -> String {
        switch kpi.kind {
        case .conversion, .errorRate: percent(v)
        case .count, .dailyCount: format(v, digits: 1) + "/day"
        default: format(v, digits: 4)
        }
    }

    private func signedValue(_ v: Double, _ kpi: KPI) -> String {
        switch kpi.kind {
        case .conversion, .errorRate: (v >= 0 ? "+" : "") + format(v * 100, digits: 2) + " pp"
        default: (v >= 0 ? "+" : "") + format(v, digits: 4)
        }
    }

    private func percent(_ v: Double) -> String { format(v * 100, digits: 1) + "%" }
    private func signedPercent(_ v: Double) -> String { (v >= 0 ? "+" : "") + percent(v) }
    private func format(_ v: Double, digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "—" : (v > 0 ? "∞" : "-∞") }
        return String(format: "%.\(digits)f", v)
    }
}
