import Foundation

/// Figures as people read them, the same on every surface: the terminal, the dashboard and the
/// verdict's reason round a figure the same way.
public enum FigureText {
    /// A fraction as a percentage (`0.6104` → `61.0%`): rounded half away from zero to `digits`
    /// decimals; `trimmed` drops trailing zeros (`5%`, `61%`); `signed` puts `+` before
    /// values ≥ 0. Not a number: `—`; infinite: `∞` or `-∞`.
    public static func percent(_ fraction: Double, digits: Int = 1, signed: Bool = false, trimmed: Bool = false) -> String {
        guard fraction.isFinite else { return fraction.isNaN ? "—" : (fraction > 0 ? (signed ? "+∞%" : "∞%") : "-∞%") }
        let text = number(fraction * 100, digits: digits, trimmed: trimmed)
        return (signed && !text.hasPrefix("-") ? "+" : "") + text + "%"
    }

    /// An amount of money in whole dollars with thousands separated (`44378.4` → `$44,378`).
    public static func dollars(_ value: Double) -> String {
        let text = number(abs(value), digits: 0)
        guard text.allSatisfy(\.isNumber) else { return text }
        var grouped = ""
        for (index, digit) in text.enumerated() {
            if index > 0 && (text.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 && text != "0" ? "-$" : "$") + grouped
    }

    /// An amount of money in dollars and cents, thousands separated (`1240` → `$1,240.00`;
    /// `-165.5` → `-$165.50`); whole dollars from $10,000 up.
    public static func money(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        if abs(value) >= 10_000 { return dollars(value) }
        let cents = number(abs(value), digits: 2)
        let parts = cents.split(separator: ".")
        let whole = dollars(Double(parts[0]) ?? 0).replacingOccurrences(of: "-", with: "")
        return (value < 0 && cents != "0.00" ? "-" : "") + whole + "." + (parts.count > 1 ? parts[1] : "00")
    }

    /// A number rounded half away from zero to `digits` decimals (`trimmed`: no trailing zeros).
    public static func number(_ value: Double, digits: Int, trimmed: Bool = false) -> String {
        guard value.isFinite else { return value.isNaN ? "—" : (value > 0 ? "∞" : "-∞") }
        let scale = pow(10, Double(digits))
        var rounded = (value * scale).rounded() / scale
        if rounded == 0 { rounded = 0 }  // no "-0.0"
        var text = String(format: "%.\(digits)f", rounded)
        if trimmed, text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

/// The unit a KPI is read in, the same on every surface: its values, its changes, its limits.
public enum KPIUnit: Sendable, Equatable {
    /// A share (of customers, of events, or events per denominator event): values in %,
    /// changes and limits in percentage points.
    case rate
    /// Events per day (at full traffic).
    case perDay
    /// Money: an event's `value`.
    case money
    /// Milliseconds: an event's `latency_ms`.
    case milliseconds
    /// A plain number (a custom KPI's).
    case number
}

extension KPI {
    /// The unit this KPI is read in.
    public var unit: KPIUnit {
        switch kind {
        case .conversion, .errorRate, .rate: .rate
        case .count, .dailyCount: .perDay
        case .mean(_, let of), .quantile(_, let of, _): of == .value ? .money : .milliseconds
        case .custom: .number
        }
    }

    /// One arm's value of this KPI as reports show it: a rate as a percentage, a count per day
    /// (at full traffic), money in dollars and cents, a latency in ms, anything else as a number.
    public func shown(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        switch unit {
        case .perDay: return FigureText.number(value, digits: 1) + "/day"
        case .rate: return FigureText.percent(value)
        case .money: return FigureText.money(value)
        case .milliseconds: return FigureText.number(value, digits: 0) + " ms"
        case .number: return FigureText.number(value, digits: 4)
        }
    }

    /// One arm as counted, with its value: for a count, what was counted first and its rate
    /// scaled to full traffic labelled as such (`9 counted, 18.0/day at full traffic`); for
    /// anything else, the value and its sample (`36.6% (n 82)`; an arm with none: `— (n 0)`). `compact`, for a table's cell
    /// under a note that says what scaled means: `9 (18.0/day scaled)`.
    public func shownArm(value: Double, n: Int, compact: Bool = false) -> String {
        switch unit {
        case .perDay: compact ? "\(n) (\(shown(value)) scaled)" : "\(n) counted, \(shown(value)) at full traffic"
        default: n == 0 ? "— (n 0)" : "\(shown(value)) (n \(n))"  // an arm without observations has no value
        }
    }

    /// A change of this KPI (treatment − control) or a limit on it, in its own unit and signed:
    /// percentage points for a rate, per day for a count, dollars for money, ms for a latency.
    public func shownChange(_ change: Double) -> String {
        guard change.isFinite else { return "—" }
        let sign = { (text: String) in change >= 0 && !text.hasPrefix("-") ? "+" + text : text }
        switch unit {
        case .perDay: return sign(FigureText.number(change, digits: 1)) + "/day"
        case .rate: return sign(FigureText.number(change * 100, digits: 2, trimmed: true)) + " pp"
        case .money: return change < 0 ? "-" + FigureText.money(-change) : "+" + FigureText.money(change)
        case .milliseconds: return sign(FigureText.number(change, digits: 0)) + " ms"
        case .number: return sign(FigureText.number(change, digits: 4, trimmed: true))
        }
    }

    /// A level of this KPI (a rule's `at_least` or `at_most`), unsigned, in its own unit.
    public func shownLevel(_ level: Double) -> String {
        switch unit {
        case .rate: FigureText.percent(level, digits: 2, trimmed: true)
        case .perDay: FigureText.number(level, digits: 2, trimmed: true) + "/day"
        case .money: FigureText.money(level)
        case .milliseconds: FigureText.number(level, digits: 0) + " ms"
        case .number: FigureText.number(level, digits: 4, trimmed: true)
        }
    }

    /// A limit or margin on this KPI (`max_increase`, `no_worse_than`), unsigned, in its own unit.
    public func shownMargin(_ margin: Double) -> String {
        switch unit {
        case .rate: FigureText.number(margin * 100, digits: 2, trimmed: true) + " pp"
        case .perDay: FigureText.number(margin, digits: 2, trimmed: true) + "/day"
        case .money: FigureText.money(margin)
        case .milliseconds: FigureText.number(margin, digits: 0) + " ms"
        case .number: FigureText.number(margin, digits: 4, trimmed: true)
        }
    }
}
