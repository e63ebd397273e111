import VerdictScript

/// A declared Lua value as canonical JSON, the form the seal covers (docs/lifecycle.md): object
/// keys sorted by their UTF-8 bytes, no spaces; strings with only `"`, `\` and control characters
/// escaped (`\n`, `\r`, `\t`, else `\u00XX`); whole numbers that Lua holds as integers in decimal;
/// other numbers as ECMAScript writes them (`0.05`, `1e-7`); a Lua function as the string
/// `"<function>"` (its text is sealed with the script).
enum CanonicalJSON {
    static func text(of value: LuaValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: LuaValue, into out: inout String) {
        switch value {
        case .nil: out += "null"
        case .boolean(let flag): out += flag ? "true" : "false"
        case .integer(let number): out += String(number)
        case .number(let number): out += number.isFinite ? CanonicalNumber.format(number) : "null"
        case .string(let text): string(text, into: &out)
        case .function: out += "\"<function>\""
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .table(let fields):
            out += "{"
            for (index, key) in fields.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out += "," }
                string(key, into: &out)
                out += ":"
                write(fields[key]!, into: &out)
            }
            out += "}"
        }
    }

    /// JSON's string escaping as every JSON Verdict writes it (`jsonQuoted`).
    private static func string(_ text: String, into out: inout String) {
        out += jsonQuoted(text)
    }
}
