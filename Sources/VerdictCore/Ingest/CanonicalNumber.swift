/// Numbers in the integrity token's canonical form: the shortest digits that read back to the
/// same double, laid out as ECMAScript's `Number.prototype.toString` does (`182`, `245.5`,
/// `0.000001`, `1e-7`, `1e+21`), so an emitter in any language can reproduce it.
enum CanonicalNumber {
    static func format(_ x: Double) -> String {
        if x == 0 { return "0" }
        if x < 0 { return "-" + format(-x) }
        // Swift's description has the shortest round-trip digits; take them apart.
        let text = "\(x)"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition = mantissa.count  // digits before the point
        for (offset, character) in mantissa.enumerated() {
            if character == "." { pointPosition = offset } else { digits.append(character) }
        }
        // Leading zeros move the point; trailing zeros are not significant.
        let leading = digits.prefix(while: { $0 == "0" }).count
        digits.removeFirst(leading)
        pointPosition -= leading
        while digits.last == "0" { digits.removeLast() }
        let k = digits.count
        let n = pointPosition + exponent  // value = 0.digits × 10^n
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            let index = digits.index(digits.startIndex, offsetBy: n)
            return digits[..<index] + "." + digits[index...]
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let head = digits.prefix(1)
        let tail = digits.dropFirst()
        return head + (tail.isEmpty ? "" : "." + tail) + "e" + sign + String(abs(e))
    }
}
