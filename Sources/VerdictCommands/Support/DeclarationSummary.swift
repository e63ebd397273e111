import VerdictCore
import VerdictScript

/// An experiment's declaration as `verdict check` shows it.
struct DeclarationSummary {
    let declaration: ExperimentDeclaration

    init(_ declaration: ExperimentDeclaration) {
        self.declaration = declaration
    }

    func text() -> String {
        let d = declaration
        var lines = [
            "\(d.changeID)  \(d.title)  (\(d.location.file))",
            "  hypothesis   \(d.hypothesis)",
            "  design       \(design)",
            "  window       \(d.windowDays) days" + (d.cohorts.isEmpty ? "" : ", cohorts \(d.cohorts.joined(separator: ", "))"),
            "  primary      \(kpi(d.primary))",
            "  leading      \(kpi(d.leading))",
        ]
        for (index, guardrail) in d.guardrails.enumerated() {
            lines.append((index == 0 ? "  guardrails   " : "               ") + kpi(guardrail))
        }
        lines.append(
            "  safety       checks at \(d.safety.checkHours.map { "\($0)h" }.joined(separator: ", ")) with at least \(d.safety.minimumEvents) events; "
                + "breach: \(action(d.safety.onBreach)), again: \(action(d.safety.onSecondBreach))")
        lines.append(
            "  decision     if inconclusive: \(d.ifInconclusive.rawValue); confidence: \(d.confidence.rawValue)"
                + (d.expectedLift.map { "; expected lift \(percent($0))" } ?? ""))
        if d.watchDays != ExperimentDeclaration.defaultWatchDays {
            lines.append("  watch        \(d.watchDays == 0 ? "not watched after a keep" : "\(d.watchDays) days after a keep")")
        }
        if let task = d.task { lines.append("  task         \(task) (by the office: verdict today)") }
        if let follows = d.follows { lines.append("  follows      \(follows), rolled back: this tries it again") }
        return lines.joined(separator: "\n") + "\n"
    }

    private var design: String { declaration.designText }

    private func kpi(_ kpi: KPI) -> String {
        var text = "\(kpi.name) (\(kpi.better.rawValue) is better)"
        if let rule = kpi.rule { text += ", pass: \(rule)" }
        if let limit = kpi.maxIncrease { text += ", may rise at most \(limit)" }
        return text
    }

    private func action(_ action: SafetyAction) -> String {
        switch action {
        case .throttle(let share): "throttle to \(percent(share))"
        case .rollback: "roll back"
        }
    }

    private func percent(_ x: Double) -> String { FigureText.percent(x, digits: 2, trimmed: true) }

    var value: LuaValue {
        let d = declaration
        func kpiValue(_ kpi: KPI) -> LuaValue {
            var fields: [String: LuaValue] = ["name": .string(kpi.name), "better": .string(kpi.better.rawValue)]
            if let rule = kpi.rule { fields["pass"] = .string(rule.description) }
            if let limit = kpi.maxIncrease { fields["max_increase"] = .number(limit) }
            return .table(fields)
        }
        return [
            "change_id": .string(d.changeID), "title": .string(d.title), "hypothesis": .string(d.hypothesis),
            "file": .string(d.location.file), "design": .string(design), "window_days": .integer(Int64(d.windowDays)),
            "cohorts": .array(d.cohorts.map { .string($0) }), "primary": kpiValue(d.primary), "leading": kpiValue(d.leading),
            "guardrails": .array(d.guardrails.map(kpiValue)), "if_inconclusive": .string(d.ifInconclusive.rawValue),
            "confidence": .string(d.confidence.rawValue),
        ]
    }
}
