import Foundation

/// Rows of text as an aligned table, or as CSV.
struct TableOutput {
    var headers: [String]
    var rows: [[String]]
    /// Columns whose values line up on the right (numbers).
    var numericColumns: Set<Int> = []

    func text() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return numericColumns.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return line(headers) + rows.map(line).joined()
    }

    /// The rows as CSV for a spreadsheet (RFC 4180, CRLF), every cell made safe by `csvField`.
    func csv() -> String {
        ([headers] + rows).map { $0.map(Self.csvField).joined(separator: ",") + "\r\n" }.joined()
    }

    /// One CSV cell. Events and their props come from anyone who holds the website's public
    /// ingest token, so a cell a spreadsheet would run as a formula is defused as OWASP's CSV
    /// injection guidance says: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
    /// return gets a leading `'` and is quoted. Plain numbers (`-5`, `+1.5e3`) stay as they are:
    /// a spreadsheet reads them as numbers, never as formulas. docs/operations.md says so.
    static func csvField(_ text: String) -> String {
        if let first = text.unicodeScalars.first, formulaStarts.contains(first), !isPlainNumber(text) {
            return "\"'" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The first characters with which a spreadsheet may read a cell as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// A decimal number and nothing else (an optional sign, digits, a fraction, an exponent).
    static func isPlainNumber(_ text: String) -> Bool {
        text.wholeMatch(of: /[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
