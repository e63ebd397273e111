/// One field of an incoming row, before validation.
enum FieldValue: Sendable, Equatable {
    /// A CSV cell: untyped text that the schema gives a type.
    case text(String)
    /// A JSON string.
    case string(String)
    /// A JSON number.
    case number(Double)
    /// A JSON boolean.
    case bool(Bool)
    /// JSON null.
    case null
    /// A JSON object, fields in their order.
    case object([(String, FieldValue)])
    /// A JSON array.
    case array([FieldValue])

    static func == (a: FieldValue, b: FieldValue) -> Bool {
        switch (a, b) {
        case (.text(let x), .text(let y)), (.string(let x), .string(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        case (.array(let x), .array(let y)): x == y
        default: false
        }
    }

    /// How a message shows the value: `string "fast"`, `number 5`, `object`.
    var shown: String {
        switch self {
        case .text(let s), .string(let s): "string \"\(s.count > 40 ? s.prefix(40) + "…" : Substring(s))\""
        case .number(let n): "number \(CanonicalNumber.format(n))"
        case .bool(let b): "boolean \(b)"
        case .null: "null"
        case .object: "an object"
        case .array: "an array"
        }
    }
}
