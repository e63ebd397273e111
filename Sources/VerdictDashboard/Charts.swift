import Foundation
import VerdictCore

/// The page's inline SVG charts. Arms differ by shape and pattern as well as by colour:
/// control is grey circles and hatched bars, treatment blue squares and solid bars.
enum Charts {
    static let width = 640.0
    static let height = 190.0
    static let left = 56.0
    static let right = 12.0
    static let top = 12.0
    static let bottom = 28.0

    /// A value on the KPI's axis as the axis labels it.
    static func axisText(_ value: Double, unit: Dashboard.Series.Unit) -> String {
        switch unit {
        case .rate: FigureText.percent(value, digits: 1, trimmed: true)
        case .count, .number: FigureText.number(value, digits: abs(value) >= 100 ? 0 : abs(value) >= 10 ? 1 : 2, trimmed: true)
        }
    }

    /// Round axis bounds around `low`...`high`, starting at 0 for rates and counts when close.
    static func axis(_ low: Double, _ high: Double, unit: Dashboard.Series.Unit) -> (low: Double, high: Double, ticks: [Double]) {
        var lo = low, hi = high
        if unit != .number && lo >= 0 { lo = 0 }
        if hi <= lo { hi = lo + (unit == .rate ? 0.1 : 1) }
        let rough = (hi - lo) / 4
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? rough
        lo = floor(lo / step) * step
        hi = ceil(hi / step) * step
        let ticks = stride(from: lo, through: hi + step / 2, by: step).map { $0 }
        return (lo, hi, ticks)
    }

    /// The shared frame: horizontal grid lines with labels, and the days along the bottom.
    static func frame(
        days: [String], axis: (low: Double, high: Double, ticks: [Double]), unit: Dashboard.Series.Unit
    ) -> (svg: String, x: (Int) -> Double, y: (Double) -> Double, slot: Double) {
        let plotWidth = width - left - right
        let slot = plotWidth / Double(max(days.count, 1))
        let x = { (index: Int) in left + slot * (Double(index) + 0.5) }
        let y = { (value: Double) in top + (height - top - bottom) * (1 - (value - axis.low) / (axis.high - axis.low)) }
        var svg = ""
        for tick in axis.ticks {
            let ty = coordinate(y(tick))
            svg += "<line class=\"grid\" x1=\"\(coordinate(left))\" x2=\"\(coordinate(width - right))\" y1=\"\(ty)\" y2=\"\(ty)\"/>"
            svg += "<text class=\"tick\" x=\"\(coordinate(left - 6))\" y=\"\(ty)\" dy=\"0.32em\" text-anchor=\"end\">\(escape(axisText(tick, unit: unit)))</text>"
        }
        for (index, day) in days.enumerated() {
            svg += "<text class=\"tick\" x=\"\(coordinate(x(index)))\" y=\"\(coordinate(height - 8))\" text-anchor=\"middle\">\(escape(String(day.suffix(5))))</text>"
        }
        return (svg, x, y, slot)
    }

    static func open(_ label: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\" role=\"img\" aria-label=\"\(escape(label))\">"
            + "<title>\(escape(label))</title>"
    }

    /// The primary KPI: each arm's daily values (circles for control, squares for treatment)
    /// over the band of its value so far and that value's 95% interval.
    static func primary(_ series: Dashboard.Series, windowDays: [String]) -> String {
        let values = series.days.flatMap { [$0.control, $0.treatment].compactMap { $0 } }
            + [series.control, series.treatment].compactMap { $0 }.flatMap { [$0.low, $0.high] }
        let axis = axis(values.min() ?? 0, values.max() ?? 1, unit: series.unit)
        let (grid, x, y, _) = frame(days: windowDays, axis: axis, unit: series.unit)
        let label = "\(series.kpi) per day, control and treatment, with each arm's value so far and its 95% interval as a band"
        var svg = open(label) + grid
        for (band, arm) in [(series.control, "control"), (series.treatment, "treatment")] {
            guard let band else { continue }
            let (y1, y2) = (y(min(band.high, axis.high)), y(max(band.low, axis.low)))
            svg += "<rect class=\"band \(arm)\" x=\"\(coordinate(left))\" width=\"\(coordinate(width - left - right))\" y=\"\(coordinate(y1))\" height=\"\(coordinate(max(y2 - y1, 1)))\"><title>\(arm) so far: \(escape(band.text))</title></rect>"
            svg += "<line class=\"estimate \(arm)\" x1=\"\(coordinate(left))\" x2=\"\(coordinate(width - right))\" y1=\"\(coordinate(y(band.value)))\" y2=\"\(coordinate(y(band.value)))\"/>"
        }
        let index = Dictionary(uniqueKeysWithValues: windowDays.enumerated().map { ($1, $0) })
        for arm in ["control", "treatment"] {
            var path = ""
            for point in series.days {
                guard let i = index[point.day], let value = arm == "control" ? point.control : point.treatment else { continue }
                path += (path.isEmpty ? "M" : "L") + "\(coordinate(x(i))) \(coordinate(y(value)))"
            }
            if !path.isEmpty { svg += "<path class=\"line \(arm)\" d=\"\(path)\"/>" }
            for point in series.days {
                guard let i = index[point.day], let value = arm == "control" ? point.control : point.treatment else { continue }
                let (cx, cy) = (x(i), y(value))
                let tip = "<title>\(escape(point.day)) \(arm): \(escape(arm == "control" ? point.controlText : point.treatmentText)) (n \(arm == "control" ? point.controlN : point.treatmentN))</title>"
                if arm == "control" {
                    svg += "<circle class=\"dot control\" cx=\"\(coordinate(cx))\" cy=\"\(coordinate(cy))\" r=\"4\">\(tip)</circle>"
                } else {
                    svg += "<rect class=\"dot treatment\" x=\"\(coordinate(cx - 4))\" y=\"\(coordinate(cy - 4))\" width=\"8\" height=\"8\">\(tip)</rect>"
                }
            }
        }
        return svg + "</svg>"
    }

    /// The leading indicator: a pair of bars a day, control hatched, treatment solid.
    static func leading(_ series: Dashboard.Series, windowDays: [String]) -> String {
        let values = series.days.flatMap { [$0.control, $0.treatment].compactMap { $0 } }
        let axis = axis(min(values.min() ?? 0, 0), values.max() ?? 1, unit: series.unit)
        let (grid, x, y, slot) = frame(days: windowDays, axis: axis, unit: series.unit)
        var svg = open("\(series.kpi) per day: control (hatched) and treatment (solid) bars") + grid
        let index = Dictionary(uniqueKeysWithValues: windowDays.enumerated().map { ($1, $0) })
        let barWidth = min(slot * 0.36, 28)
        for point in series.days {
            guard let i = index[point.day] else { continue }
            for (offset, arm, value, text) in [
                (-barWidth, "control", point.control, point.controlText), (0, "treatment", point.treatment, point.treatmentText),
            ] {
                guard let value else { continue }
                let (y0, y1) = (y(max(axis.low, 0)), y(value))
                svg += "<rect class=\"bar \(arm)\" x=\"\(coordinate(x(i) + offset))\" y=\"\(coordinate(min(y0, y1)))\" width=\"\(coordinate(barWidth))\" height=\"\(coordinate(max(abs(y0 - y1), 0.5)))\"><title>\(escape(point.day)) \(arm): \(escape(text))</title></rect>"
            }
        }
        return svg + "</svg>"
    }

    /// A guardrail's change with its interval against its limit (a dashed line), on a scale
    /// that shows both and zero.
    static func guardrail(_ g: Dashboard.Guardrail) -> String {
        let w = 320.0, h = 44.0, pad = 14.0
        let points = [0, g.change, g.low, g.high, g.limit].compactMap { $0 }.filter(\.isFinite)
        var lo = points.min() ?? -1, hi = points.max() ?? 1
        let span = max(hi - lo, 1e-9)
        lo -= span * 0.1
        hi += span * 0.1
        let x = { (v: Double) in pad + (w - 2 * pad) * (v - lo) / (hi - lo) }
        let state = g.holds == true ? "holds" : (g.holds == false ? "breaks its limit" : "cannot be judged yet")
        var svg = "<svg class=\"guard\" viewBox=\"0 0 \(coordinate(w)) \(coordinate(h))\" role=\"img\" aria-label=\"\(escape("\(g.kpi): \(g.text); \(state)"))\">"
        svg += "<line class=\"axis\" x1=\"\(coordinate(pad))\" x2=\"\(coordinate(w - pad))\" y1=\"22\" y2=\"22\"/>"
        svg += "<line class=\"zero\" x1=\"\(coordinate(x(0)))\" x2=\"\(coordinate(x(0)))\" y1=\"8\" y2=\"36\"/>"
        if let limit = g.limit {
            svg += "<line class=\"limit\" x1=\"\(coordinate(x(limit)))\" x2=\"\(coordinate(x(limit)))\" y1=\"4\" y2=\"40\"/>"
        }
        if let low = g.low, let high = g.high, low.isFinite, high.isFinite {
            svg += "<line class=\"interval \(g.holds == false ? "bad" : "")\" x1=\"\(coordinate(x(low)))\" x2=\"\(coordinate(x(high)))\" y1=\"22\" y2=\"22\"/>"
        }
        if let change = g.change, change.isFinite {
            svg += "<rect class=\"point\" x=\"\(coordinate(x(change) - 4))\" y=\"18\" width=\"8\" height=\"8\"/>"
        }
        return svg + "</svg>"
    }

    /// The safety timeline: hours from the start, checks and flag changes as marks of their own
    /// shapes (circle ok, triangle breach, hollow circle to come, bar throttle, cross rollback).
    static func timeline(_ marks: [Dashboard.TimelineMark], windowDays: Int) -> String {
        let w = 640.0, h = 56.0, pad = 20.0
        let end = max(Double(windowDays * 24), (marks.map(\.hour).max() ?? 0) + 1)
        let x = { (hour: Double) in pad + (w - 2 * pad) * max(0, min(hour, end)) / end }
        var svg = "<svg class=\"timeline\" viewBox=\"0 0 \(coordinate(w)) \(coordinate(h))\" role=\"img\" aria-label=\"Safety checks and flag changes over the window, in hours from the start\">"
        svg += "<line class=\"axis\" x1=\"\(coordinate(pad))\" x2=\"\(coordinate(w - pad))\" y1=\"20\" y2=\"20\"/>"
        for day in 0...windowDays {
            let tx = x(Double(day * 24))
            svg += "<line class=\"grid\" x1=\"\(coordinate(tx))\" x2=\"\(coordinate(tx))\" y1=\"14\" y2=\"26\"/>"
            if day % max(1, windowDays / 7) == 0 {
                svg += "<text class=\"tick\" x=\"\(coordinate(tx))\" y=\"44\" text-anchor=\"middle\">\(day * 24)h</text>"
            }
        }
        for mark in marks {
            let cx = x(mark.hour)
            let tip = "<title>\(escape(mark.text))</title>"
            let c = coordinate(cx)
            switch mark.kind {
            case .ok: svg += "<circle class=\"mark ok\" cx=\"\(c)\" cy=\"20\" r=\"6\">\(tip)</circle>"
            case .scheduled: svg += "<circle class=\"mark scheduled\" cx=\"\(c)\" cy=\"20\" r=\"6\">\(tip)</circle>"
            case .overtaken: svg += "<rect class=\"mark overtaken\" x=\"\(coordinate(cx - 5))\" y=\"15\" width=\"10\" height=\"10\" transform=\"rotate(45 \(c) 20)\">\(tip)</rect>"
            case .breach: svg += "<path class=\"mark breach\" d=\"M\(c) 12 L\(coordinate(cx + 7)) 26 L\(coordinate(cx - 7)) 26 Z\">\(tip)</path>"
            case .throttle: svg += "<rect class=\"mark throttle\" x=\"\(coordinate(cx - 2))\" y=\"6\" width=\"4\" height=\"28\">\(tip)</rect>"
            case .rollback: svg += "<path class=\"mark rollback\" d=\"M\(coordinate(cx - 6)) 14 L\(coordinate(cx + 6)) 26 M\(coordinate(cx + 6)) 14 L\(coordinate(cx - 6)) 26\">\(tip)</path>"
            case .scale, .keep: svg += "<path class=\"mark keep\" d=\"M\(c) 10 L\(coordinate(cx + 6)) 20 L\(c) 30 L\(coordinate(cx - 6)) 20 Z\">\(tip)</path>"
            }
        }
        return svg + "</svg>"
    }

    /// A small interval for the impact band: the change and its interval around zero.
    static func interval(_ change: Double?, _ low: Double?, _ high: Double?, label: String) -> String {
        let w = 200.0, h = 24.0, pad = 8.0
        guard let change, let low, let high, low.isFinite, high.isFinite else { return "" }
        let bound = max(abs(low), abs(high), 0.05) * 1.1
        let x = { (v: Double) in pad + (w - 2 * pad) * (v + bound) / (2 * bound) }
        var svg = "<svg class=\"mini\" viewBox=\"0 0 \(coordinate(w)) \(coordinate(h))\" role=\"img\" aria-label=\"\(escape(label))\">"
        svg += "<line class=\"zero\" x1=\"\(coordinate(x(0)))\" x2=\"\(coordinate(x(0)))\" y1=\"2\" y2=\"22\"/>"
        svg += "<line class=\"interval\" x1=\"\(coordinate(x(low)))\" x2=\"\(coordinate(x(high)))\" y1=\"12\" y2=\"12\"/>"
        svg += "<rect class=\"point\" x=\"\(coordinate(x(change) - 4))\" y=\"8\" width=\"8\" height=\"8\"/>"
        return svg + "</svg>"
    }
}
