import Foundation
import VerdictScript
import VerdictStore

/// Checks one row against the event schema (DESIGN.md §4) and makes it an `Event`.
///
/// Every refusal is a reason a person can act on, naming the field:
/// `timestamp "2026-13-02" is not ISO 8601`, `latency_ms: -5 is negative`.
struct EventValidator {
    /// The fields of the schema, in canonical order.
    static let schemaFields = [
        "event", "timestamp", "change_id", "version_flag", "user_cohort", "user_id", "status", "latency_ms",
        "value", "event_id", "props", "hash",
    ]
    static let maximumLength: [String: Int] = [
        "event": 100, "change_id": 64, "version_flag": 64, "user_cohort": 64, "status": 100, "user_id": 256,
        "event_id": 256,
    ]
    static let maximumProps = 50
    static let maximumPropLength = 1000

    var calendar: LocalDayCalendar

    init(timeZone: TimeZone) {
        calendar = LocalDayCalendar(timeZone: timeZone)
    }

    /// Validates `fields` (unknown CSV columns already moved into `props`).
    mutating func validate(_ fields: [(String, FieldValue)]) -> Result<Event, ValidationFailure> {
        do {
            return .success(try makeEvent(fields))
        } catch let failure as ValidationFailure {
            return .failure(failure)
        } catch {
            return .failure(ValidationFailure("\(error)"))
        }
    }

    private mutating func makeEvent(_ fields: [(String, FieldValue)]) throws -> Event {
        var byName: [String: FieldValue] = [:]
        byName.reserveCapacity(fields.count)
        for (name, value) in fields {
            guard Self.schemaFields.contains(name) else {
                let hint = closestMatch(to: name, in: Self.schemaFields).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw ValidationFailure("unknown field \"\(name)\"\(hint); put extra attributes under props")
            }
            guard byName.updateValue(value, forKey: name) == nil else {
                throw ValidationFailure("field \"\(name)\" appears twice")
            }
        }

        let event = try requiredString("event", byName)
        let timestampText = try requiredString("timestamp", byName)
        let timestamp: Int64
        switch Timestamp.parse(timestampText) {
        case .success(let ms): timestamp = ms
        case .failure(.noOffset):
            throw ValidationFailure("timestamp \"\(timestampText)\" has no UTC offset; add Z or an offset such as -06:00")
        case .failure(.notARealDate(let problem)):
            throw ValidationFailure("timestamp \"\(timestampText)\" is not ISO 8601: \(problem)")
        case .failure(.outOfRange):
            throw ValidationFailure("timestamp \"\(timestampText)\" is outside the years 1900 to 2999")
        case .failure(.notISO8601):
            throw ValidationFailure("timestamp \"\(timestampText)\" is not ISO 8601 (such as 2026-11-02T14:05:00-06:00)")
        }
        let changeID = try optionalString("change_id", byName)
        let versionFlag = try optionalString("version_flag", byName)
        let userCohort = try optionalString("user_cohort", byName)
        let userID = try optionalString("user_id", byName)
        let status = try optionalString("status", byName)
        let latency = try optionalNumber("latency_ms", byName)
        if let latency, latency < 0 {
            throw ValidationFailure("latency_ms: \(CanonicalNumber.format(latency)) is negative; a latency is 0 or more")
        }
        let value = try optionalNumber("value", byName)
        let eventID = try optionalString("event_id", byName)
        let props = try propsFields(byName["props"])
        let given = try optionalString("hash", byName)

        let token = EventHash.token(
            EventHash.Fields(
                event: event, timestamp: timestampText, changeID: changeID, versionFlag: versionFlag,
                userCohort: userCohort, userID: userID, status: status, latencyMs: latency, value: value,
                eventID: eventID, props: props.map { ($0.0, $0.1.canonical) }))
        if let given, given != token {
            throw ValidationFailure("hash \"\(given)\" does not match the event (its canonical form hashes to \(token)); see docs/events.md")
        }
        return Event(
            event: event, timestamp: timestamp, day: calendar.day(ofMilliseconds: timestamp),
            changeID: changeID ?? "none", attributed: changeID != nil, versionFlag: versionFlag, userCohort: userCohort,
            userID: userID, status: status, latencyMs: latency, value: value, eventID: eventID,
            props: props.isEmpty ? nil : Self.propsJSON(props), hash: token)
    }

    // MARK: fields

    private func requiredString(_ name: String, _ fields: [String: FieldValue]) throws -> String {
        guard let text = try optionalString(name, fields) else {
            throw ValidationFailure("missing required field \"\(name)\"")
        }
        return text
    }

    /// A string field; empty CSV cells and JSON null count as missing.
    private func optionalString(_ name: String, _ fields: [String: FieldValue]) throws -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .text(let text)?:
            if text.isEmpty { return nil }
            try check(text, name)
            return text
        case .string(let text)?:
            guard !text.isEmpty else { throw ValidationFailure("\(name): is empty; leave the field out instead") }
            try check(text, name)
            return text
        case let other?:
            throw ValidationFailure("\(name): expected a string, got \(other.shown)")
        }
    }

    private func check(_ text: String, _ name: String) throws {
        if let limit = Self.maximumLength[name], text.utf8.count > limit {
            throw ValidationFailure("\(name): longer than \(limit) bytes")
        }
        if text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw ValidationFailure("\(name): contains a control character")
        }
    }

    private func optionalNumber(_ name: String, _ fields: [String: FieldValue]) throws -> Double? {
        switch fields[name] {
        case nil, .null?: return nil
        case .number(let number)?:
            return number
        case .text(let text)?:
            if text.isEmpty { return nil }
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite,
                text.first.map({ $0.isNumber || $0 == "-" || $0 == "." || $0 == "+" }) == true
            else {
                throw ValidationFailure("\(name): \"\(text)\" is not a number")
            }
            return number
        case let other?:
            throw ValidationFailure("\(name): expected a number, got \(other.shown)")
        }
    }

    private func propsFields(_ value: FieldValue?) throws -> [(String, PropValue)] {
        guard let value else { return [] }
        guard case .object(let fields) = value else {
            if case .null = value { return [] }
            throw ValidationFailure("props: expected an object of strings and numbers, got \(value.shown)")
        }
        guard fields.count <= Self.maximumProps else {
            throw ValidationFailure("props: has \(fields.count) attributes; at most \(Self.maximumProps) are kept")
        }
        var seen = Set<String>()
        var result: [(String, PropValue)] = []
        for (key, value) in fields {
            guard !key.isEmpty, key.utf8.count <= 64 else { throw ValidationFailure("props: attribute names are 1 to 64 bytes") }
            guard seen.insert(key).inserted else { throw ValidationFailure("props.\(key): appears twice") }
            try checkSeparators(key, "props")
            switch value {
            case .string(let text), .text(let text):
                guard text.utf8.count <= Self.maximumPropLength else {
                    throw ValidationFailure("props.\(key): longer than \(Self.maximumPropLength) bytes")
                }
                try checkSeparators(text, "props.\(key)")
                result.append((key, .string(text)))
            case .number(let number):
                result.append((key, .number(number)))
            default:
                throw ValidationFailure("props.\(key): expected a string or a number, got \(value.shown); props are flat")
            }
        }
        result.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return result
    }

    private func checkSeparators(_ text: String, _ name: String) throws {
        if text.utf8.contains(where: { $0 >= 0x1D && $0 <= 0x1F }) {
            throw ValidationFailure("\(name): contains a separator control character (U+001D to U+001F)")
        }
    }

    enum PropValue {
        case string(String)
        case number(Double)

        var canonical: String {
            switch self {
            case .string(let text): text
            case .number(let number): CanonicalNumber.format(number)
            }
        }
    }

    /// Props as a canonical JSON object: keys sorted, numbers in their canonical form.
    static func propsJSON(_ props: [(String, PropValue)]) -> String {
        var json = "{"
        for (index, (key, value)) in props.enumerated() {
            if index > 0 { json += "," }
            json += jsonString(key) + ":"
            switch value {
            case .string(let text): json += jsonString(text)
            case .number(let number): json += CanonicalNumber.format(number)
            }
        }
        return json + "}"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Why a row was quarantined.
struct ValidationFailure: Error, Equatable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
