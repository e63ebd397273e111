import Foundation
import VerdictScript
import VerdictStore

/// Checks one row against the event schema (DESIGN.md §4) and makes it an `Event`.
///
/// Every refusal is a reason a person can act on, naming the field:
/// `timestamp "2026-13-02" is not ISO 8601`, `latency_ms: -5 is negative`.
struct EventValidator {
    var calendar: LocalDayCalendar
    /// Reused for each row's canonical form.
    private var canonical: [UInt8] = []

    /// For CSV rows: a timestamp without an offset is a local time in this time zone, and may be
    /// written as spreadsheets write dates, read in this order (`LocalDateText`). Nil for JSON.
    let localTimes: (timeZone: TimeZone, order: DateOrder?)?

    init(timeZone: TimeZone, localTimesIn order: DateOrder?? = nil) {
        calendar = LocalDayCalendar(timeZone: timeZone)
        localTimes = order.map { (timeZone, $0) }
        canonical.reserveCapacity(512)
    }

    /// Validates one row's fields (unknown CSV columns already moved into `props`).
    mutating func validate(_ raw: RawEvent) -> Result<Event, ValidationFailure> {
        do {
            return .success(try makeEvent(raw))
        } catch let failure as ValidationFailure {
            return .failure(failure)
        } catch {
            return .failure(ValidationFailure("\(error)"))
        }
    }

    private mutating func makeEvent(_ raw: RawEvent) throws -> Event {
        if let name = raw.unknownField {
            let hint = closestMatch(to: name, in: EventField.names).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw ValidationFailure("unknown field \"\(name)\"\(hint); put extra attributes under props")
        }
        if let name = raw.repeatedField { throw ValidationFailure("field \"\(name)\" appears twice") }

        let event = try requiredString(.event, raw)
        let timestampText = try requiredString(.timestamp, raw)
        var timestamp: Int64
        switch Timestamp.parse(timestampText) {
        case .success(let ms): timestamp = ms
        case .failure(.noOffset) where localTimes != nil, .failure(.notISO8601) where localTimes != nil:
            timestamp = try localTimestamp(timestampText)
        case .failure(.noOffset):
            throw ValidationFailure("timestamp \"\(timestampText)\" has no UTC offset; add Z or an offset such as -06:00")
        case .failure(.notARealDate(let problem)):
            throw ValidationFailure("timestamp \"\(timestampText)\" is not ISO 8601: \(problem)")
        case .failure(.outOfRange):
            throw ValidationFailure("timestamp \"\(timestampText)\" is outside the years 1900 to 2999")
        case .failure(.notISO8601):
            throw ValidationFailure("timestamp \"\(timestampText)\" is not ISO 8601 (such as 2026-11-02T14:05:00-06:00)")
        }
        let changeID = try optionalString(.changeID, raw)
        let versionFlag = try optionalString(.versionFlag, raw)
        let userCohort = try optionalString(.userCohort, raw)
        let userID = try optionalString(.userID, raw)
        let status = try optionalString(.status, raw)
        let latency = try optionalNumber(.latencyMs, raw)
        if let latency, latency < 0 {
            throw ValidationFailure("latency_ms: \(CanonicalNumber.format(latency)) is negative; a latency is 0 or more")
        }
        let value = try optionalNumber(.value, raw)
        let eventID = try optionalString(.eventID, raw)
        let props = try propsFields(raw[.props])
        let given = try optionalString(.hash, raw)

        canonical.removeAll(keepingCapacity: true)
        EventHash.appendCanonicalForm(
            to: &canonical, event: event, timestamp: timestampText,
            strings: (changeID, versionFlag, userCohort, userID, status), latencyMs: latency, value: value,
            eventID: eventID, props: props)
        let token = EventHash.token(ofCanonicalBytes: canonical)
        if let given, given != token {
            throw ValidationFailure("hash \"\(given)\" does not match the event (its canonical form hashes to \(token)); see docs/events.md")
        }
        let day = calendar.day(ofMilliseconds: timestamp)
        // An event that names no change is stamped when its batch is written (`ChangeTimeline`).
        return Event(
            event: event, timestamp: timestamp, day: day, changeID: changeID ?? "none", attributed: changeID != nil,
            changeSource: changeID != nil ? .event : ChangeSource.none, versionFlag: versionFlag, userCohort: userCohort,
            userID: userID, status: status, latencyMs: latency, value: value, eventID: eventID,
            props: props.isEmpty ? nil : Self.propsJSON(props), hash: token)
    }

    // MARK: fields

    private func requiredString(_ field: EventField, _ raw: RawEvent) throws -> String {
        guard let text = try optionalString(field, raw) else {
            throw ValidationFailure("missing required field \"\(field.name)\"")
        }
        return text
    }

    /// A string field; empty CSV cells and JSON null count as missing.
    private func optionalString(_ field: EventField, _ raw: RawEvent) throws -> String? {
        let name = field.name
        switch raw[field] {
        case nil, .null?: return nil
        case .text(let text)?:
            if text.isEmpty { return nil }
            try check(text, field)
            return text
        case .string(let text)?:
            guard !text.isEmpty else { throw ValidationFailure("\(name): is empty; leave the field out instead") }
            try check(text, field)
            return text
        case let other?:
            throw ValidationFailure("\(name): expected a string, got \(other.shown)")
        }
    }

    private func check(_ text: String, _ field: EventField) throws {
        let limit = field.maximumLength
        var length = 0
        var control = false
        var copy = text
        copy.withUTF8 { bytes in
            length = bytes.count
            for byte in bytes where byte < 0x20 || byte == 0x7F {
                control = true
                break
            }
        }
        if length > limit { throw ValidationFailure("\(field.name): longer than \(limit) bytes") }
        if control { throw ValidationFailure("\(field.name): contains a control character") }
    }

    private func optionalNumber(_ field: EventField, _ raw: RawEvent) throws -> Double? {
        let name = field.name
        switch raw[field] {
        case nil, .null?: return nil
        case .number(let number)?:
            return try Self.finite(number, name)
        case .text(let text)?:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return nil }
            guard let number = Self.decimal(trimmed) else {
                throw ValidationFailure("\(name): \"\(text)\" is not a number (such as 182 or 245.50)")
            }
            return try Self.finite(number, name, written: trimmed)
        case let other?:
            throw ValidationFailure("\(name): expected a number, got \(other.shown)")
        }
    }

    /// Every number that enters the store passes here: JSON and importer numbers, CSV cells,
    /// numeric props. A double that overflowed (1e999), or a Lua 1/0 or 0/0, is refused.
    static func finite(_ number: Double, _ name: String, written: String? = nil) throws -> Double {
        guard number.isFinite else {
            let shown = written ?? (number.isNaN ? "NaN" : number > 0 ? "infinity" : "-infinity")
            throw ValidationFailure("\(name): \(shown) is not a finite number (it is beyond ±1.8e308, or undefined)")
        }
        return number
    }

    /// A CSV cell's number in plain decimal notation, with an optional sign, point and exponent
    /// (`-12`, `245.50`, `.5`, `1e-3`); nil for anything else: hex, `inf`, `nan`, `1,000`, `$5`.
    static func decimal(_ text: String) -> Double? {
        var digitsBefore = 0, digitsAfter = 0, exponentDigits = 0
        var index = text.utf8.startIndex
        let bytes = text.utf8
        func at(_ predicate: (UInt8) -> Bool) -> Bool { index < bytes.endIndex && predicate(bytes[index]) }
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        if at({ $0 == 0x2B || $0 == 0x2D }) { index = bytes.index(after: index) }
        while at(isDigit) { digitsBefore += 1; index = bytes.index(after: index) }
        if at({ $0 == 0x2E }) {
            index = bytes.index(after: index)
            while at(isDigit) { digitsAfter += 1; index = bytes.index(after: index) }
        }
        guard digitsBefore + digitsAfter > 0 else { return nil }
        if at({ $0 == 0x65 || $0 == 0x45 }) {
            index = bytes.index(after: index)
            if at({ $0 == 0x2B || $0 == 0x2D }) { index = bytes.index(after: index) }
            while at(isDigit) { exponentDigits += 1; index = bytes.index(after: index) }
            guard exponentDigits > 0 else { return nil }
        }
        guard index == bytes.endIndex else { return nil }
        return Double(text)
    }

    /// A CSV timestamp written as a local date and time (`11/05/2026 2:30 PM`, `2026-11-05 14:30`).
    private func localTimestamp(_ text: String) throws -> Int64 {
        let (timeZone, order) = localTimes!
        switch LocalDateText.parse(text, order: order) {
        case .success(let parts):
            guard (1900...2999).contains(parts.year), let ms = LocalDateText.milliseconds(parts, in: timeZone) else {
                throw ValidationFailure("timestamp \"\(text)\" is outside the years 1900 to 2999")
            }
            return ms
        case .failure(let failure) where failure.message.contains("is not a date such as"):
            throw ValidationFailure(
                "timestamp \"\(text)\" is not ISO 8601 (such as 2026-11-02T14:05:00-06:00) nor a local date and time such as 11/05/2026 2:30 PM")
        case .failure(let failure):
            throw ValidationFailure("timestamp: \(failure.message)")
        }
    }

    /// How many props an event may carry.
    static let maximumProps = 50

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
                guard text.utf8.count <= 1000 else {
                    throw ValidationFailure("props.\(key): longer than 1000 bytes")
                }
                try checkSeparators(text, "props.\(key)")
                result.append((key, .string(text)))
            case .number(let number):
                result.append((key, .number(try Self.finite(number, "props.\(key)"))))
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
            json += jsonQuoted(key) + ":"
            switch value {
            case .string(let text): json += jsonQuoted(text)
            case .number(let number): json += CanonicalNumber.format(number)
            }
        }
        return json + "}"
    }
}

/// Why a row was quarantined.
struct ValidationFailure: Error, Equatable, CustomStringConvertible {
    var message: String

    /// A reason; any control characters of the input it quotes are escaped.
    init(_ message: String) {
        self.message = message.escapingControlCharacters
    }

    var description: String { message }
}
