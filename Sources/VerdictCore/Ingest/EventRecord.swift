import Foundation
import VerdictStore

/// A stored event as every surface shows it (`verdict events --list --json`, and later the
/// server): numbers as numbers, absent fields as null, props as an object, and the time both in
/// UTC and in the workspace's time zone.
public struct EventRecord: Sendable, Equatable, Encodable {
    /// A prop's value: props are flat strings and numbers.
    public enum PropValue: Sendable, Equatable, Encodable {
        case string(String)
        case number(Double)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            }
        }
    }

    public var id: Int64
    public var batch: Int64
    public var event: String
    /// UTC, `2026-11-02T13:49:00Z`.
    public var timestamp: String
    /// The same instant in the workspace's time zone, `2026-11-02T07:49:00-06:00`.
    public var localTime: String
    /// The local day.
    public var day: String
    public var changeID: String
    /// Where `change_id` came from: `event` (the event named it), `timeline` (it named none, and
    /// the change live for its cohort at its time was stamped), or `none`.
    public var changeSource: String
    @NullEncoded public var versionFlag: String?
    @NullEncoded public var userCohort: String?
    @NullEncoded public var userID: String?
    @NullEncoded public var status: String?
    @NullEncoded public var latencyMs: Double?
    @NullEncoded public var value: Double?
    @NullEncoded public var eventID: String?
    @NullEncoded public var props: [String: PropValue]?
    /// The props as stored: canonical JSON text (keys sorted), for tables and CSV (not in JSON,
    /// which has `props`).
    public var propsText: String?
    public var hash: String

    /// The record of `stored`, with local times in `timeZone`.
    init(_ stored: StoredEvent, timeZone: TimeZone) {
        let e = stored.event
        id = stored.id
        batch = stored.batchID
        event = e.event
        let instant = Date(timeIntervalSince1970: Double(e.timestamp) / 1000)
        timestamp = Self.format(instant, in: TimeZone(identifier: "UTC")!)
        localTime = Self.format(instant, in: timeZone)
        day = LocalDay(number: e.day).description
        changeID = e.changeID
        changeSource = switch e.changeSource {
        case .event: "event"
        case .timeline: "timeline"
        case .none: "none"
        }
        versionFlag = e.versionFlag
        userCohort = e.userCohort
        userID = e.userID
        status = e.status
        latencyMs = e.latencyMs
        value = e.value
        eventID = e.eventID
        props = e.props.flatMap(Self.props)
        propsText = e.props
        hash = e.hash
    }

    /// `instant` as ISO 8601 in `zone` to the second (`2026-11-09T07:00:00-06:00`; `Z` for a zero
    /// offset), as `ISO8601DateFormatter` with `.withInternetDateTime` writes it, by arithmetic:
    /// making a formatter costs more than formatting thousands of instants.
    public static func format(_ instant: Date, in zone: TimeZone) -> String {
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))  // the second it falls in
        let offset = zone.secondsFromGMT(for: instant)
        let local = seconds + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let time = local - days * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = LocalDay(number: Int32(days)).description
        text += "T\(two(time / 3600)):\(two(time % 3600 / 60)):\(two(time % 60))"
        if offset == 0 { return text + "Z" }
        let sign = offset < 0 ? "-" : "+", magnitude = Int64(abs(offset))
        // Historical local mean times had offsets with seconds; Foundation writes them too.
        return text + "\(sign)\(two(magnitude / 3600)):\(two(magnitude % 3600 / 60))" + (magnitude % 60 == 0 ? "" : ":\(two(magnitude % 60))")
    }

    /// Stored props (a canonical JSON object of strings and numbers) as values.
    static func props(_ text: String) -> [String: PropValue]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        return object.compactMapValues { value in
            if let text = value as? String { return .string(text) }
            if let number = value as? NSNumber { return .number(number.doubleValue) }
            return nil
        }
    }

    /// Absent fields are null (`NullEncoded`), so a script sees the same keys on every event.
    enum CodingKeys: String, CodingKey {
        case id, batch, event, timestamp, day, status, value, props, hash
        case changeSource = "change_source"
        case localTime = "local_time", changeID = "change_id", versionFlag = "version_flag", userCohort = "user_cohort"
        case userID = "user_id", latencyMs = "latency_ms", eventID = "event_id"
    }
}
