/// One validated event, ready to store (DESIGN.md §4).
public struct Event: Sendable, Equatable {
    /// What happened: `quote_requested`, `appointment_booked`, `job_completed`, ...
    public var event: String
    /// When, in UTC milliseconds since 1970.
    public var timestamp: Int64
    /// The local day in the workspace time zone, as days since 1970-01-01.
    public var day: Int32
    /// The change that served it; `none` when none can be told.
    public var changeID: String
    /// Where `changeID` came from: the event itself, the timeline of started changes, or nowhere.
    public var changeSource: ChangeSource
    /// Whether the event named its change itself.
    public var attributed: Bool { changeSource == .event }
    /// The flag variant that served it.
    public var versionFlag: String?
    /// Whether `versionFlag` came from a customer list handed out for the change (`verdict
    /// assign`), not from the event: intention to treat. Stored as bit 4 of `attributed`.
    public var flagFromList = false
    /// The customer cohort.
    public var userCohort: String?
    /// A customer or visitor key.
    public var userID: String?
    /// `success`, `error:timeout`, or a customer-impact tag.
    public var status: String?
    /// A latency in milliseconds (finite, not negative).
    public var latencyMs: Double?
    /// An amount, such as job revenue.
    public var value: Double?
    /// The idempotency key: an event_id is stored once across all batches.
    public var eventID: String?
    /// Extra attributes as a canonical JSON object (keys sorted), or nil.
    public var props: String?
    /// The integrity token (12 hex digits).
    public var hash: String

    /// Creates an event.
    public init(
        event: String, timestamp: Int64, day: Int32, changeID: String, attributed: Bool, changeSource: ChangeSource? = nil,
        versionFlag: String? = nil,
        userCohort: String? = nil, userID: String? = nil, status: String? = nil, latencyMs: Double? = nil,
        value: Double? = nil, eventID: String? = nil, props: String? = nil, hash: String
    ) {
        self.event = event
        self.timestamp = timestamp
        self.day = day
        self.changeID = changeID
        self.changeSource = changeSource ?? (attributed ? .event : .none)
        self.versionFlag = versionFlag
        self.userCohort = userCohort
        self.userID = userID
        self.status = status
        self.latencyMs = latencyMs
        self.value = value
        self.eventID = eventID
        self.props = props
        self.hash = hash
    }
}

/// Where an event's change_id came from (the `attributed` column's low two bits: 1, 2 or 0; its
/// bit 4 says the flag came from a customer list, `Event.flagFromList`).
public enum ChangeSource: Int64, Sendable, Equatable {
    /// No change could be told: stored as `none`.
    case none = 0
    /// The event named it.
    case event = 1
    /// The event named none, and Verdict stamped the change that was live for its cohort at its
    /// timestamp.
    case timeline = 2

    /// The `attributed` bit that says the event's flag came from a customer list.
    public static let flagFromListBit: Int64 = 4

    /// The source an `attributed` column's value holds (its low two bits).
    public init(attributed: Int64) {
        self = ChangeSource(rawValue: attributed & 3) ?? .none
    }
}

/// A row that failed validation, kept with its place and reason so nothing is ever lost.
public struct QuarantinedRow: Sendable, Equatable {
    /// The source the row came from (a file name, `-` for standard input, `http`).
    public var source: String
    /// The 1-based line where the row starts.
    public var line: Int
    /// Why it was refused, in words a person can act on.
    public var reason: String
    /// The row exactly as it arrived.
    public var raw: String

    /// Creates a quarantined row.
    public init(source: String, line: Int, reason: String, raw: String) {
        self.source = source
        self.line = line
        self.reason = reason
        self.raw = raw
    }
}
