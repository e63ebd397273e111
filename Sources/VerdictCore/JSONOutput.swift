import Foundation

/// How every JSON Verdict writes for people is laid out (`--json`, `flags.json`): keys sorted,
/// two-space indents, `"key": value` (the layout `verdict lua --json` and the documentation use).
public enum JSONOutput {
    /// `value` as JSON text (without a final newline).
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return indent(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// The same JSON on one line, for machines on a hot path (OFREP answers).
    public static func compact(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Lays out compact JSON: one member or item per line, empty objects and arrays kept as `{}`
    /// and `[]`. Text inside strings is copied as it is.
    public static func indent(_ compact: String) -> String {
        var out = ""
        var depth = 0
        var inString = false, escaped = false
        let characters = Array(compact)
        func newline() { out += "\n" + String(repeating: "  ", count: depth) }
        for (index, character) in characters.enumerated() {
            if inString {
                out.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"":
                inString = true
                out.append(character)
            case "{", "[":
                out.append(character)
                let closing: Character = character == "{" ? "}" : "]"
                if index + 1 < characters.count, characters[index + 1] == closing { continue }
                depth += 1
                newline()
            case "}", "]":
                let opening: Character = character == "}" ? "{" : "["
                if index > 0, characters[index - 1] == opening {
                    out.append(character)
                    continue
                }
                depth -= 1
                newline()
                out.append(character)
            case ",":
                out.append(character)
                newline()
            case ":":
                out += ": "
            default:
                out.append(character)
            }
        }
        return out
    }
}
