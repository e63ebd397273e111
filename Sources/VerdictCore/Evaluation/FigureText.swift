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

extension KPI {
    /// One arm's value of this KPI as reports show it: a rate as a percentage, a count per day
    /// (at full traffic), anything else as a number.
    public func shown(_ value: Double) -> String {
        switch kind {
        case .count, .dailyCount: FigureText.number(value, digits: 1) + "/day"
        case .conversion, .errorRate: FigureText.percent(value)
        default: FigureText.number(value, digits: 4)
        }
    }
}

extension KPI {
    /// A change of this KPI (treatment − control) in its own unit, signed: percentage points
    /// for a rate of customers, per day for a count, per denominator event for a rate per event.
    public func shownChange(_ change: Double) -> String {
        let sign = { (text: String) in change >= 0 && !text.hasPrefix("-") ? "+" + text : text }
        switch kind {
        case .count, .dailyCount: return sign(FigureText.number(change, digits: 1)) + "/day"
        case .conversion, .errorRate: return sign(FigureText.number(change * 100, digits: 2, trimmed: true)) + " pp"
        default: return sign(FigureText.number(change, digits: 4, trimmed: true))
        }
    }
}
