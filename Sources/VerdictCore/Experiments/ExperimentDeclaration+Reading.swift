import Foundation
import VerdictScript

extension ExperimentDeclaration {
    /// The fields `experiment { ... }` accepts.
    static let fields = [
        "change_id", "title", "hypothesis", "owner", "design", "window", "cohorts", "primary", "leading", "guardrails",
        "safety", "forecast", "if_inconclusive", "risk_tolerance", "alpha", "power", "confidence", "task", "watch", "follows",
    ]

    /// Validates what a script declared. Every error names the field path and its line:
    /// `experiments/book-now.lua:14: primary.pass: expected a rule such as lift_at_least(0.05), got number`.
    init(declaration: Declaration, source: String, defaultWindowDays: Int) throws(ScriptError) {
        let reader = DeclarationReader(locator: FieldLocator(source: source), location: declaration.location)
        let root = try reader.table(declaration.value, path: [])
        try root.only(Self.fields)
        declared = CanonicalJSON.text(of: declaration.value)

        changeID = try root.string("change_id", maxLength: 64)!
        guard changeID.first.map({ $0.isASCII && ($0.isLetter || $0.isNumber) }) == true,
            changeID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            throw reader.error(["change_id"], "\"\(changeID)\" is not a change id; use letters, digits, - _ and . (such as \"CHG-0007\")")
        }
        title = try root.string("title", maxLength: 120)!
        hypothesis = try root.string("hypothesis", maxLength: 400)!
        let sentences = hypothesis.split(whereSeparator: { ".!?".contains($0) }).filter {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }
        if sentences.count > 1 {
            throw reader.error(["hypothesis"], "write the hypothesis as one sentence (this has \(sentences.count))")
        }
        owner = try root.string("owner", required: false, maxLength: 200)

        design = try Self.readDesign(root.value("design"), reader: reader)
        switch root.value("window") {
        case .nil: windowDays = defaultWindowDays
        case let value:
            if let tagged = try reader.tagged(value, "duration", path: ["window"], expected: "a duration such as days(7)"), let days = tagged["days"].integerValue {
                windowDays = Int(days)
            } else if let days = value.integerValue, (1...90).contains(days) {
                windowDays = Int(days)
            } else {
                throw reader.error(["window"], "expected a duration such as days(7), got \(reader.shown(value))")
            }
        }
        cohorts = try root.stringList("cohorts")

        primary = try Self.readKPI(root.value("primary"), path: ["primary"], reader: reader, required: true)!
        guard primary.rule != nil else {
            throw reader.error(["primary", "pass"], "the primary KPI needs its pass rule, such as pass = lift_at_least(0.05)")
        }
        leading = try Self.readKPI(root.value("leading"), path: ["leading"], reader: reader, required: true)!
        guardrails = try root.list("guardrails").enumerated().map { index, value throws(ScriptError) in
            let path = ["guardrails[\(index + 1)]"]
            let kpi = try Self.readKPI(value, path: path, reader: reader, required: true)!
            guard kpi.rule != nil || kpi.maxIncrease != nil else {
                throw reader.error(path, "a guardrail needs its limit: max_increase = 0.005 or pass = no_worse_than(0.01)")
            }
            return kpi
        }
        safety = try Self.readSafety(root.value("safety"), reader: reader)
        if case .ab = design {
        } else if let lagged = ([primary, leading] + guardrails).first(where: { $0.outcomeLagDays > 0 }) {
            let path = lagged == primary ? "primary" : lagged == leading ? "leading" : "guardrails"
            throw reader.error([path, "outcome_lag"], "outcome_lag follows the customers of an A/B design's arms; this design has none to follow")
        }

        if let forecast = try root.optionalTable("forecast") {
            try forecast.only(["expected_lift"])
            expectedLift = try forecast.number("expected_lift", in: 0.0001...10)
        } else {
            expectedLift = nil
        }
        ifInconclusive = try root.choice("if_inconclusive", default: .rollback)
        riskTolerance = try root.number("risk_tolerance", in: RiskTolerance.range)
        alpha = try root.number("alpha", in: 0.0001...0.4999)
        power = try root.number("power", in: 0.5...0.9999)
        confidence = try root.choice("confidence", default: .point)
        task = try root.string("task", required: false, maxLength: 200)
        switch root.value("watch") {
        case .nil: watchDays = Self.defaultWatchDays
        case let value:
            guard let tagged = try reader.tagged(value, "duration", path: ["watch"], expected: "a duration such as days(28)"),
                let days = tagged["days"].integerValue, (0...365).contains(days)
            else {
                throw reader.error(["watch"], "expected a duration of 0 to 365 days such as days(28), got \(reader.shown(value))")
            }
            watchDays = Int(days)
        }
        follows = try root.string("follows", required: false, maxLength: 64)
        if follows == changeID { throw reader.error(["follows"], "a change cannot follow itself: name the earlier change_id it tries again") }
        location = declaration.location
    }

    private static func readDesign(_ value: LuaValue, reader: DeclarationReader) throws(ScriptError) -> Design {
        guard let tagged = try reader.tagged(value, "design", path: ["design"], expected: "a design such as ab { flag = \"book_now\" }") else {
            throw reader.error(["design"], "each experiment needs a design: ab { ... }, before_after { ... } or switchback { ... }")
        }
        let design = try reader.table(tagged, path: ["design"])
        switch tagged["kind"].stringValue {
        case "ab":
            try design.only(["kind", "flag", "control", "treatment", "split"])
            return .ab(
                flag: try design.string("flag", maxLength: 64)!, control: try design.string("control", required: false) ?? "off",
                treatment: try design.string("treatment", required: false) ?? "on",
                split: try design.number("split", in: 0.01...0.99) ?? 0.5)
        case "before_after":
            try design.only(["kind", "weeks"])
            return .beforeAfter(weeks: try design.integer("weeks", in: 1...8) ?? 1)
        default:
            try design.only(["kind", "flag", "control", "treatment", "seed"])
            return .switchback(
                flag: try design.string("flag", maxLength: 64)!, control: try design.string("control", required: false) ?? "off",
                treatment: try design.string("treatment", required: false) ?? "on",
                seed: Int64(try design.integer("seed", in: 0...Int(Int32.max)) ?? 1))
        }
    }

    static let kpiFields = [
        "kind", "name", "event", "from", "to", "numerator", "denominator", "of", "p", "status", "cohort", "version_flag",
        "props", "better", "pass", "max_increase", "compute", "outcome_lag",
    ]

    private static func readKPI(_ value: LuaValue, path: [String], reader: DeclarationReader, required: Bool) throws(ScriptError) -> KPI? {
        if value == .nil && !required { return nil }
        guard let tagged = try reader.tagged(value, "kpi", path: path, expected: "a KPI such as kpi.conversion { from = \"quote_viewed\", to = \"appointment_booked\" }") else {
            throw reader.error(path, "expected a KPI such as kpi.conversion { from = \"quote_viewed\", to = \"appointment_booked\" } (local kpi = require \"verdict.kpi\")")
        }
        let fields = try reader.table(tagged, path: path)
        try fields.only(kpiFields)
        let kind: KPI.Kind
        var naturalBetter = KPI.Direction.higher
        let kindName = tagged["kind"].stringValue ?? ""
        switch kindName {
        case "count": kind = .count(event: try fields.string("event")!)
        case "daily_count": kind = .dailyCount(event: try fields.string("event")!)
        case "conversion": kind = .conversion(from: try fields.string("from")!, to: try fields.string("to")!)
        case "rate":
            kind = .rate(numerator: try fields.string("numerator")!, denominator: try fields.string("denominator")!)
            naturalBetter = .lower
        case "mean", "quantile":
            let of: KPI.Measure = try fields.choice("of", default: .value)
            if of == .latencyMs { naturalBetter = .lower }
            kind = kindName == "mean"
                ? .mean(event: try fields.string("event")!, of: of)
                : .quantile(event: try fields.string("event")!, of: of, p: try fields.number("p", in: 0.01...0.99) ?? 0.5)
        case "error_rate":
            kind = .errorRate(event: try fields.string("event")!)
            naturalBetter = .lower
        case "custom":
            guard case .function(let compute) = tagged["compute"] else {
                throw reader.error(path + ["compute"], "a custom KPI needs compute = function(q) ... end")
            }
            kind = .custom(compute: compute)
        default:
            throw reader.error(path + ["kind"], "\"\(kindName)\" is not a KPI kind")
        }
        var props: [String: String] = [:]
        if let table = try fields.optionalTable("props") {
            for (key, value) in table.values {
                guard let text = value.stringValue ?? value.doubleValue.map({ CanonicalNumber.format($0) }) else {
                    throw reader.error(path + ["props", key], "expected a string or a number, got \(reader.shown(value))")
                }
                props[key] = text
            }
        }
        let filter = KPI.Filter(
            status: try fields.string("status", required: false), cohort: try fields.string("cohort", required: false),
            versionFlag: try fields.string("version_flag", required: false), props: props)
        let rule = try tagged["pass"] == .nil ? nil : readRule(tagged["pass"], path: path + ["pass"], reader: reader)
        var kpi = KPI(
            name: try fields.string("name", required: false, maxLength: 80) ?? defaultName(kind),
            kind: kind, filter: filter, better: try fields.choice("better", default: naturalBetter), rule: rule,
            maxIncrease: try fields.number("max_increase", in: 0...1_000_000))
        kpi.outcomeLagDays = try readLag(tagged["outcome_lag"], path: path + ["outcome_lag"], reader: reader)
        return kpi
    }

    /// `outcome_lag = days(N)`: 0 to 60 days.
    private static func readLag(_ value: LuaValue, path: [String], reader: DeclarationReader) throws(ScriptError) -> Int {
        if value == .nil { return 0 }
        let expected = "a duration such as days(3), from 0 to 60 days"
        guard let tagged = try reader.tagged(value, "duration", path: path, expected: expected), let days = tagged["days"].integerValue,
            (0...60).contains(days)
        else {
            throw reader.error(path, "expected \(expected), got \(reader.shown(value))")
        }
        return Int(days)
    }

    private static func defaultName(_ kind: KPI.Kind) -> String {
        switch kind {
        case .count(let event): "\(event) count"
        case .dailyCount(let event): "daily \(event)"
        case .conversion(let from, let to): "\(from) → \(to)"
        case .rate(let numerator, let denominator): "\(numerator) per \(denominator)"
        case .mean(let event, let of): "mean \(of.rawValue) of \(event)"
        case .quantile(let event, let of, let p): "p\(Int((p * 100).rounded())) \(of.rawValue) of \(event)"
        case .errorRate(let event): "\(event) error rate"
        case .custom: "custom KPI"
        }
    }

    static func readRule(_ value: LuaValue, path: [String], reader: DeclarationReader) throws(ScriptError) -> Rule {
        guard let tagged = try reader.tagged(value, "rule", path: path, expected: "a rule such as lift_at_least(0.05)") else {
            throw reader.error(path, "expected a rule such as lift_at_least(0.05), got \(reader.shown(value))")
        }
        let number = tagged["value"].doubleValue ?? 0
        switch tagged["kind"].stringValue {
        case "lift_at_least": return .liftAtLeast(number)
        case "drop_at_least": return .dropAtLeast(number)
        case "at_least": return .atLeast(number)
        case "at_most": return .atMost(number)
        case "no_worse_than": return .noWorseThan(number)
        case let combination:
            var rules: [Rule] = []
            for (index, rule) in (tagged["rules"].arrayValue ?? []).enumerated() {
                rules.append(try readRule(rule, path: path + ["\(combination ?? "rule")[\(index + 1)]"], reader: reader))
            }
            return combination == "all_of" ? .allOf(rules) : .anyOf(rules)
        }
    }

    private static func readSafety(_ value: LuaValue, reader: DeclarationReader) throws(ScriptError) -> Safety {
        guard value != .nil else { return .standard }
        let safety = try reader.table(value, path: ["safety"])
        try safety.only(["check_at", "min_events", "on_breach", "on_second_breach"])
        var result = Safety.standard
        if safety.value("check_at") != .nil {
            guard let hours = try reader.tagged(safety.value("check_at"), "hours", path: ["safety", "check_at"], expected: "hours such as hours(24, 48, 72)")?["hours"].arrayValue
            else {
                throw reader.error(["safety", "check_at"], "expected hours such as hours(24, 48, 72), got \(reader.shown(safety.value("check_at")))")
            }
            result.checkHours = hours.compactMap { $0.doubleValue.map { Int($0) } }.sorted()
        }
        result.minimumEvents = try safety.integer("min_events", in: 1...1_000_000) ?? result.minimumEvents
        result.onBreach = try readAction(safety.value("on_breach"), path: ["safety", "on_breach"], reader: reader) ?? result.onBreach
        result.onSecondBreach =
            try readAction(safety.value("on_second_breach"), path: ["safety", "on_second_breach"], reader: reader) ?? result.onSecondBreach
        return result
    }

    private static func readAction(_ value: LuaValue, path: [String], reader: DeclarationReader) throws(ScriptError) -> SafetyAction? {
        guard value != .nil else { return nil }
        guard let tagged = try reader.tagged(value, "action", path: path, expected: "throttle(0.10) or rollback()") else {
            throw reader.error(path, "expected throttle(share) or rollback(), got \(reader.shown(value))")
        }
        return tagged["kind"].stringValue == "throttle" ? .throttle(tagged["share"].doubleValue ?? 0) : .rollback
    }
}

/// Reads declared tables, naming the path and line of whatever is wrong.
struct DeclarationReader {
    let locator: FieldLocator
    let location: SourceLocation

    func error(_ path: [String], _ message: String) -> ScriptError {
        ScriptError(
            kind: .declaration, message: path.isEmpty ? message : "\(path.joined(separator: ".")): \(message)",
            file: location.file, line: locator.line(of: path.map { $0.split(separator: "[").first.map(String.init) ?? $0 }, from: location.line))
    }

    func shown(_ value: LuaValue) -> String {
        switch value {
        case .nil: "nothing"
        case .string(let text): "string \"\(text)\""
        case .integer, .number: "number \(value.doubleValue.map { CanonicalNumber.format($0) } ?? "")"
        case .boolean(let flag): "boolean \(flag)"
        case .array, .table:
            value["__verdict"].stringValue.map { "a \($0)" } ?? "a table"
        case .function: "a function"
        }
    }

    func table(_ value: LuaValue, path: [String]) throws(ScriptError) -> FieldTable {
        guard let fields = value.tableValue else { throw error(path, "expected a table { ... }, got \(shown(value))") }
        return FieldTable(values: fields.filter { $0.key != "__verdict" }, path: path, reader: self)
    }

    /// The tagged helper value (`__verdict = tag`), nil when `value` is nil; an error when it is
    /// something else (a different helper, a number, a plain table).
    func tagged(_ value: LuaValue, _ tag: String, path: [String], expected: String) throws(ScriptError) -> LuaValue? {
        if value == .nil { return nil }
        guard value["__verdict"].stringValue == tag else {
            throw error(path, "expected \(expected), got \(shown(value))")
        }
        return value
    }
}

/// One declared table being read.
struct FieldTable {
    let values: [String: LuaValue]
    let path: [String]
    let reader: DeclarationReader

    func value(_ key: String) -> LuaValue { values[key] ?? .nil }

    /// Refuses a field not in `allowed`, suggesting the closest; `listing` adds the whole list
    /// (for short tables such as the workspace settings).
    func only(_ allowed: [String], listing: Bool = false) throws(ScriptError) {
        guard let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) else { return }
        let hint = closestMatch(to: unknown, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        let list = listing ? "; the fields are \(allowed.joined(separator: ", "))" : ""
        throw reader.error(path + [unknown], "unknown field\(hint)\(list)")
    }

    func string(_ key: String, required: Bool = true, maxLength: Int = 200) throws(ScriptError) -> String? {
        switch value(key) {
        case .nil:
            if required { throw reader.error(path + [key], "is required") }
            return nil
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw reader.error(path + [key], "is empty") }
            guard trimmed.count <= maxLength else { throw reader.error(path + [key], "is longer than \(maxLength) characters") }
            return trimmed
        case let other:
            throw reader.error(path + [key], "expected a string, got \(reader.shown(other))")
        }
    }

    func bool(_ key: String) throws(ScriptError) -> Bool? {
        switch value(key) {
        case .nil: return nil
        case .boolean(let flag): return flag
        case let other: throw reader.error(path + [key], "expected true or false, got \(reader.shown(other))")
        }
    }

    func number(_ key: String, in range: ClosedRange<Double>) throws(ScriptError) -> Double? {
        try number(
            key, where: range.contains,
            expected: "a number from \(CanonicalNumber.format(range.lowerBound)) to \(CanonicalNumber.format(range.upperBound))")
    }

    /// A number that `accept`s, else an error saying what was `expected`.
    func number(_ key: String, where accept: (Double) -> Bool, expected: String) throws(ScriptError) -> Double? {
        let raw = value(key)
        if raw == .nil { return nil }
        guard let number = raw.doubleValue, accept(number) else {
            throw reader.error(path + [key], "expected \(expected), got \(reader.shown(raw))")
        }
        return number
    }

    func integer(_ key: String, in range: ClosedRange<Int>, expected: String? = nil) throws(ScriptError) -> Int? {
        let raw = value(key)
        if raw == .nil { return nil }
        guard let number = raw.integerValue, let int = Int(exactly: number), range.contains(int) else {
            let what = expected ?? "a whole number from \(range.lowerBound) to \(range.upperBound)"
            throw reader.error(path + [key], "expected \(what), got \(reader.shown(raw))")
        }
        return int
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ScriptError) -> T where T.RawValue == String {
        let raw = value(key)
        if raw == .nil { return fallback }
        guard let text = raw.stringValue, let choice = T(rawValue: text) else {
            let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw reader.error(path + [key], "expected one of \(names), got \(reader.shown(raw))")
        }
        return choice
    }

    func optionalTable(_ key: String) throws(ScriptError) -> FieldTable? {
        value(key) == .nil ? nil : try reader.table(value(key), path: path + [key])
    }

    func list(_ key: String) throws(ScriptError) -> [LuaValue] {
        let raw = value(key)
        if raw == .nil { return [] }
        guard let items = raw.arrayValue else { throw reader.error(path + [key], "expected a list { ... }, got \(reader.shown(raw))") }
        return items
    }

    func stringList(_ key: String) throws(ScriptError) -> [String] {
        try list(key).enumerated().map { index, item throws(ScriptError) in
            guard let text = item.stringValue, !text.isEmpty else {
                throw reader.error(path + ["\(key)[\(index + 1)]"], "expected a string, got \(reader.shown(item))")
            }
            return text
        }
    }
}
