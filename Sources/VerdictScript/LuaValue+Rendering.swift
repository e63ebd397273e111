extension LuaValue {
    /// The value as JSON: object keys sorted, integers without a fraction, floats in their
    /// shortest round-trip form. NaN and infinities have no JSON form and fail with their path.
    public func json(pretty: Bool = true) throws(ScriptError) -> String {
        var output = ""
        do {
            try writeJSON(into: &output, pretty: pretty, indent: 0, path: "result")
        } catch {
            throw ScriptError(kind: .invalidValue, message: error.message)
        }
        return output
    }

    private func writeJSON(into output: inout String, pretty: Bool, indent: Int, path: String) throws(ConversionError) {
        let newline = pretty ? "\n" + String(repeating: "  ", count: indent + 1) : ""
        let closing = pretty ? "\n" + String(repeating: "  ", count: indent) : ""
        switch self {
        case .nil:
            output += "null"
        case .boolean(let flag):
            output += flag ? "true" : "false"
        case .integer(let value):
            output += String(value)
        case .number(let value):
            guard value.isFinite else {
                throw ConversionError(message: "\(path) is \(value) (not a finite number), which JSON cannot represent")
            }
            output += "\(value)"
        case .string(let text):
            writeJSONString(text, into: &output)
        case .function:
            throw ConversionError(message: "\(path) is a function, which JSON cannot represent")
        case .array(let items):
            guard !items.isEmpty else { return output += "[]" }
            output += "["
            for (offset, item) in items.enumerated() {
                output += (offset == 0 ? "" : ",") + newline
                try item.writeJSON(into: &output, pretty: pretty, indent: indent + 1, path: "\(path)[\(offset + 1)]")
            }
            output += closing + "]"
        case .table(let fields):
            guard !fields.isEmpty else { return output += "{}" }
            output += "{"
            for (offset, (key, value)) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
                output += (offset == 0 ? "" : ",") + newline
                writeJSONString(key, into: &output)
                output += pretty ? ": " : ":"
                try value.writeJSON(into: &output, pretty: pretty, indent: indent + 1, path: child(path, key))
            }
            output += closing + "}"
        }
    }

    /// The value as a Lua table constructor that reads back to the same value; nested tables
    /// are laid out one field per line.
    public func luaLiteral(indent: Int = 0) -> String {
        let inner = String(repeating: "  ", count: indent + 1)
        let outer = String(repeating: "  ", count: indent)
        switch self {
        case .nil:
            return "nil"
        case .boolean(let flag):
            return flag ? "true" : "false"
        case .integer(let value):
            // -9223372036854775808 would read back as a float: Lua negates the literal after reading it.
            return value == .min ? "math.mininteger" : String(value)
        case .number(let value):
            if value.isNaN { return "0/0" }
            if value.isInfinite { return value > 0 ? "math.huge" : "-math.huge" }
            return "\(value)"
        case .string(let text):
            return luaQuoted(text)
        case .function:
            return "nil --[[ a function ]]"
        case .array(let items):
            guard !items.isEmpty else { return "{}" }
            let parts = items.map { $0.luaLiteral(indent: indent + 1) }
            let flat = "{ " + parts.joined(separator: ", ") + " }"
            if flat.count <= 72 && !flat.contains("\n") { return flat }
            return "{\n" + parts.map { inner + $0 + ",\n" }.joined() + outer + "}"
        case .table(let fields):
            guard !fields.isEmpty else { return "{}" }
            let parts = fields.sorted(by: { $0.key < $1.key }).map { key, value in
                let name = isLuaName(key) ? key : "[\(luaQuoted(key))]"
                return "\(name) = \(value.luaLiteral(indent: indent + 1))"
            }
            return "{\n" + parts.map { inner + $0 + ",\n" }.joined() + outer + "}"
        }
    }
}

private let luaKeywords: Set<String> = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
]

private func isLuaName(_ key: String) -> Bool {
    guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else { return false }
    let rest = key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
    return rest && !luaKeywords.contains(key)
}

private func luaQuoted(_ text: String) -> String {
    var output = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            let digits = String(scalar.value)
            output += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        default: output.unicodeScalars.append(scalar)
        }
    }
    return output + "\""
}

/// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
public func jsonQuoted(_ text: String) -> String {
    var output = ""
    writeJSONString(text, into: &output)
    return output
}

private func writeJSONString(_ text: String, into output: inout String) {
    output += "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: output.unicodeScalars.append(scalar)
        }
    }
    output += "\""
}
