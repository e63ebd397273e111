import Foundation
import VerdictScript

/// The settings in a workspace's `verdict.lua`.
public struct WorkspaceSettings: Sendable, Equatable {
    /// The business the workspace belongs to, as reports name it.
    public var business: String
    /// The IANA time zone whose local days the reports count in.
    public var timeZone: String
    /// The default experiment window, in days.
    public var windowDays: Int
    /// The default significance level of verdicts.
    public var alpha: Double
    /// The default power for sample sizes and forecasts.
    public var power: Double
    /// The default risk tolerance of recommendations: the expected loss of keeping a change
    /// (relative to control, on its primary KPI) below which an inconclusive change is kept.
    public var riskTolerance: Double
    /// The resources each script call may use.
    public var sandbox: SandboxLimits
    /// Where `verdict daily` POSTs its morning summary (Slack-compatible JSON), if anywhere.
    public var webhook: String?
    /// `verdict serve`'s CORS allow-list and rate limit.
    public var server = ServerSettings()
    /// How the workspace's exports write a date such as 05/11/2026; nil: not said, so a date
    /// whose first two parts could each be the month is refused rather than guessed.
    public var dateOrder: DateOrder?

    /// Creates settings; omitted values take the defaults a new workspace gets.
    public init(
        business: String, timeZone: String, windowDays: Int = 7, alpha: Double = 0.05, power: Double = 0.8,
        riskTolerance: Double = RiskTolerance.standard, sandbox: SandboxLimits = .standard
    ) {
        self.business = business
        self.timeZone = timeZone
        self.windowDays = windowDays
        self.alpha = alpha
        self.power = power
        self.riskTolerance = riskTolerance
        self.sandbox = sandbox
        webhook = nil
    }

    /// The fields `workspace { ... }` accepts.
    static let fields = [
        "business", "time_zone", "date_order", "window_days", "alpha", "power", "risk_tolerance", "webhook", "sandbox", "server",
    ]
    static let serverFields = ["cors", "rate_limit"]
    static let sandboxFields = ["memory_mb", "instructions", "seconds"]

    /// Whether `name` is a time zone in the IANA database (`America/Chicago`, `UTC`).
    ///
    /// Foundation's list holds the canonical zone names but not UTC's aliases (`UTC`,
    /// `Etc/UTC`, `Etc/GMT+5`), which are IANA names too and what servers are often set to.
    public static func isKnownTimeZone(_ name: String) -> Bool {
        if TimeZone.knownTimeZoneIdentifiers.contains(name) { return true }
        guard TimeZone(identifier: name) != nil else { return false }
        let universal: Set<String> = ["UTC", "UCT", "GMT", "Zulu", "Universal", "Greenwich"]
        let bare = name.hasPrefix("Etc/") ? String(name.dropFirst(4)) : name
        if universal.contains(bare) || ["GMT0", "GMT+0", "GMT-0"].contains(bare) { return true }
        guard name.hasPrefix("Etc/GMT"), let offset = Int(bare.dropFirst(3)) else { return false }
        return (-14...12).contains(offset) && (bare.dropFirst(3).first == "+" || bare.dropFirst(3).first == "-")
    }

    /// The system's time zone when it has an IANA name, otherwise UTC.
    public static var systemTimeZone: String {
        let name = TimeZone.current.identifier
        return isKnownTimeZone(name) ? name : "UTC"
    }
}

extension WorkspaceSettings {
    /// Validates what `verdict.lua` declared, with the reader experiments use: errors name the
    /// field and its line.
    init(declaration: Declaration, source: String) throws(ScriptError) {
        let reader = DeclarationReader(locator: FieldLocator(source: source), location: declaration.location)
        let fields = try reader.table(declaration.value, path: [])
        try fields.only(Self.fields, listing: true)

        guard let business = try fields.string("business", maxLength: 200) else { throw reader.error(["business"], "is required") }
        let timeZone = try fields.string("time_zone", required: false, maxLength: 100) ?? Self.systemTimeZone
        guard Self.isKnownTimeZone(timeZone) else {
            let hint = closestMatch(to: timeZone, in: TimeZone.knownTimeZoneIdentifiers).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw reader.error(["time_zone"], "\"\(timeZone)\" is not an IANA time zone name such as \"America/Chicago\"\(hint)")
        }
        var dateOrder: DateOrder?
        if let text = try fields.string("date_order", required: false, maxLength: 100) {
            guard let order = DateOrder(rawValue: text) else {
                let names = DateOrder.allCases.map(\.rawValue)
                let hint = closestMatch(to: text, in: names).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw reader.error(["date_order"], "\"\(text)\" is not a date order; use \(names.map { "\"\($0)\"" }.joined(separator: ", "))\(hint)")
            }
            dateOrder = order
        }
        let windowDays = try fields.integer("window_days", in: 1...90, expected: "a whole number of days from 1 to 90") ?? 7
        let alpha = try fields.number(
            "alpha", where: { $0 > 0 && $0 < 0.5 }, expected: "a significance level between 0 and 0.5 (such as 0.05)") ?? 0.05
        let power = try fields.number("power", where: { $0 >= 0.5 && $0 < 1 }, expected: "a power from 0.5 to below 1 (such as 0.8)")
            ?? 0.8
        let riskTolerance = try fields.number("risk_tolerance", where: RiskTolerance.range.contains, expected: RiskTolerance.expected)
            ?? RiskTolerance.standard

        var limits = SandboxLimits.standard
        if let sandbox = try fields.optionalTable("sandbox") {
            try sandbox.only(Self.sandboxFields, listing: true)
            limits.memoryBytes = (try sandbox.integer("memory_mb", in: 1...4096, expected: "megabytes from 1 to 4096")
                ?? limits.memoryBytes >> 20) << 20
            limits.instructions = UInt64(
                try sandbox.integer("instructions", in: 1_000...Int(Int64.max), expected: "a whole number of at least 1000")
                    ?? Int(limits.instructions))
            limits.seconds = try sandbox.number(
                "seconds", where: { $0 > 0 && $0 <= 600 }, expected: "seconds above 0 and at most 600") ?? limits.seconds
        }
        let webhook = try fields.string("webhook", required: false, maxLength: 2000)
        if let webhook {
            guard let url = URL(string: webhook), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw reader.error(["webhook"], "\"\(webhook)\" is not an http(s) URL such as \"https://hooks.slack.com/services/...\"")
            }
        }
        var server = ServerSettings()
        if let table = try fields.optionalTable("server") {
            try table.only(Self.serverFields, listing: true)
            server.corsOrigins = try table.stringList("cors")
            for (index, origin) in server.corsOrigins.enumerated() where !ServerSettings.isOrigin(origin) {
                throw reader.error(
                    ["server", "cors[\(index + 1)]"], "\"\(origin)\" is not an origin such as \"https://www.brightspark.example\" (scheme and host, no path)")
            }
            server.rateLimit = try table.integer("rate_limit", in: 0...1_000_000, expected: "requests a minute from 0 (no limit) to 1000000")
                ?? server.rateLimit
        }
        self.init(
            business: business, timeZone: timeZone, windowDays: windowDays, alpha: alpha, power: power, riskTolerance: riskTolerance,
            sandbox: limits)
        self.webhook = webhook
        self.server = server
        self.dateOrder = dateOrder
    }
}

/// How a date such as 05/11/2026 is read: 11 May (`month_first`), 5 November (`day_first`), or
/// with the year first (2026/11/05, `year_first`). ISO 8601 (2026-11-05) is year first whatever
/// the order.
public enum DateOrder: String, Sendable, CaseIterable {
    case monthFirst = "month_first"
    case dayFirst = "day_first"
    case yearFirst = "year_first"

    /// The order most businesses in a time zone's region write: the Americas' US and Canada zones
    /// month first, East Asia's year first, elsewhere day first. `init` writes it into
    /// verdict.lua and says so, to change there.
    public static func usual(inTimeZone zone: String) -> DateOrder {
        let yearFirst = ["Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong", "Asia/Pyongyang"]
        if yearFirst.contains(zone) { return .yearFirst }
        if zone.hasPrefix("America/") || zone.hasPrefix("US/") || zone.hasPrefix("Canada/") || zone == "Pacific/Honolulu" { return .monthFirst }
        return .dayFirst
    }

    /// 05/11/2026 in words under this order.
    public var example: String {
        switch self {
        case .monthFirst: "05/11/2026 is 11 May 2026"
        case .dayFirst: "05/11/2026 is 5 November 2026"
        case .yearFirst: "2026/11/05 is 5 November 2026"
        }
    }
}

/// What `verdict serve` reads from `verdict.lua`: `server = { cors = { ... }, rate_limit = N }`.
public struct ServerSettings: Sendable, Equatable {
    /// The website origins whose pages may call the server (CORS), such as
    /// `https://www.brightspark.example`.
    public var corsOrigins: [String] = []
    /// Requests a minute allowed per token and per client address (0: no limit).
    public var rateLimit: Int = 1200

    public init() {}

    static func isOrigin(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            return false
        }
        return (url.path.isEmpty || url.path == "/") && url.query == nil && url.fragment == nil && !text.hasSuffix("/")
    }
}
