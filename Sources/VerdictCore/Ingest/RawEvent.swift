import Foundation
import VerdictScript

/// The schema's fields, in the canonical order of the integrity token (docs/events.md).
enum EventField: Int, CaseIterable {
    case event, timestamp, changeID, versionFlag, userCohort, userID, status, latencyMs, value, eventID, props, hash

    /// The field's name on the wire and in CSV headers.
    var name: String { Self.names[rawValue] }

    static let names = [
        "event", "timestamp", "change_id", "version_flag", "user_cohort", "user_id", "status", "latency_ms", "value",
        "event_id", "props", "hash",
    ]
    private static let nameBytes: [[UInt8]] = names.map { Array($0.utf8) }

    /// The longest a string field may be, in bytes.
    var maximumLength: Int {
        switch self {
        case .event, .status: 100
        case .changeID, .versionFlag, .userCohort: 64
        case .userID, .eventID: 256
        default: 1000
        }
    }

    /// The field a name stands for, without making a String of it.
    static func named(_ bytes: UnsafeBufferPointer<UInt8>) -> EventField? {
        for (index, name) in nameBytes.enumerated() where name.count == bytes.count {
            if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                return EventField(rawValue: index)
            }
        }
        return nil
    }

    static func named(_ name: String) -> EventField? {
        names.firstIndex(of: name).flatMap(EventField.init(rawValue:))
    }
}

/// One row's fields by schema slot, before validation, plus what did not fit the schema.
struct RawEvent {
    var slots = InlineArray<12, FieldValue?>(repeating: nil)
    /// The first field name that is not in the schema.
    var unknownField: String?
    /// The first field given twice.
    var repeatedField: String?

    subscript(field: EventField) -> FieldValue? {
        get { slots[field.rawValue] }
        set { slots[field.rawValue] = newValue }
    }

    /// Sets a field, noting a repeat instead of overwriting.
    mutating func set(_ field: EventField, _ value: FieldValue) {
        if slots[field.rawValue] != nil {
            if repeatedField == nil { repeatedField = field.name }
            return
        }
        slots[field.rawValue] = value
    }
}

extension RawEvent {
    /// An event table an importer returned, in the schema's slots.
    init(_ fields: [String: LuaValue]) {
        self.init()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let field = EventField.named(name) else {
                if unknownField == nil { unknownField = name }
                continue
            }
            set(field, FieldValue(value))
        }
    }
}

extension FieldValue {
    /// A Lua value as the JSON-like value an event field holds.
    init(_ value: LuaValue) {
        switch value {
        case .nil: self = .null
        case .boolean(let flag): self = .bool(flag)
        case .integer(let number): self = .number(Double(number))
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(FieldValue.init))
        case .table(let fields): self = .object(fields.sorted(by: { $0.key < $1.key }).map { ($0.key, FieldValue($0.value)) })
        case .function: self = .string("<function>")
        }
    }
}
