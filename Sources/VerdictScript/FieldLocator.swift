/// Finds the line where a field of a table constructor is written, so that a validation error
/// about a value can name `file:line` even though Lua tables keep no line numbers.
///
/// Given the line where the declaring call starts, it looks for `name =` on that line or after
/// it, one path component at a time. It is a reading aid, not a parser: when the text is laid
/// out unusually it falls back to the line of the call.
public struct FieldLocator: Sendable {
    private let lines: [Substring]

    /// Indexes the text of a script.
    public init(source: String) {
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The line of the field at `path` (`["sandbox", "seconds"]`), searching from `line` on.
    public func line(of path: [String], from line: Int) -> Int {
        var current = line
        for component in path {
            guard let found = find(component, from: current) else { return current }
            current = found
        }
        return current
    }

    private func find(_ name: String, from line: Int) -> Int? {
        guard line >= 1 else { return nil }
        for index in (line - 1)..<lines.count where contains(field: name, in: stripComment(lines[index])) {
            return index + 1
        }
        return nil
    }

    private func stripComment(_ line: Substring) -> Substring {
        guard let range = line.firstRange(of: "--") else { return line }
        return line[..<range.lowerBound]
    }

    /// Whether `line` holds `name =` (not `==`) with `name` not part of a longer identifier.
    private func contains(field name: String, in line: Substring) -> Bool {
        var search = line.startIndex
        while let range = line[search...].firstRange(of: name) {
            search = range.upperBound
            if range.lowerBound > line.startIndex, isIdentifierCharacter(line[line.index(before: range.lowerBound)]) {
                continue
            }
            let rest = line[range.upperBound...].drop(while: { $0 == " " || $0 == "\t" })
            if rest.hasPrefix("=") && !rest.hasPrefix("==") { return true }
        }
        return false
    }

    private func isIdentifierCharacter(_ character: Character) -> Bool {
        character == "_" || (character.isASCII && (character.isLetter || character.isNumber))
    }
}
