import Foundation

/// Text made safe for HTML, in element content and in quoted attributes alike.
func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

/// A number for SVG coordinates and data attributes: at most `digits` decimals, no exponent,
/// no locale.
func coordinate(_ x: Double, digits: Int = 1) -> String {
    guard x.isFinite else { return "0" }
    let scale = pow(10, Double(digits))
    let rounded = (x * scale).rounded() / scale
    if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
    var text = String(format: "%.\(digits)f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}

/// A number as a data attribute's value, with enough digits to compare with `report --json`.
func dataNumber(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "" }
    return String(format: "%.10g", x)
}

/// An id fragment safe in `id` and in CSS selectors.
func slug(_ text: String) -> String {
    String(text.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "-" })
}
