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
    /// The resources each script call may use.
    public var sandbox: SandboxLimits

    /// Creates settings; omitted values take the defaults a new workspace gets.
    public init(
        business: String, timeZone: String, windowDays: Int = 7, alpha: Double = 0.05, power: Double = 0.8,
        sandbox: SandboxLimits = .standard
    ) {
        self.business = business
        self.timeZone = timeZone
        self.windowDays = windowDays
        self.alpha = alpha
        self.power = power
        self.sandbox = sandbox
    }

    /// The fields `workspace { ... }` accepts.
    static let fields = ["business", "time_zone", "window_days", "alpha", "power", "sandbox"]
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
    /// Validates what `verdict.lua` declared. Errors name the field and its line.
    init(declaration: Declaration, source: String) throws(ScriptError) {
        let locator = FieldLocator(source: source)
        func fail(_ path: [String], _ message: String) -> ScriptError {
            ScriptError(
                kind: .declaration, message: "\(path.joined(separator: ".")): \(message)",
                file: declaration.location.file, line: locator.line(of: path, from: declaration.location.line))
        }
        let fields = declaration.value.tableValue ?? [:]
        try Self.rejectUnknown(fields, allowed: Self.fields, parent: [], fail: fail)

        guard let business = fields["business"]?.stringValue,
            !business.trimmingCharacters(in: .whitespaces).isEmpty, business.count <= 200
        else {
            throw fail(["business"], "expected the business name as text (1 to 200 characters), got \(Self.shown(fields["business"]))")
        }
        let timeZone = fields["time_zone"]?.stringValue ?? Self.systemTimeZone
        if let value = fields["time_zone"], value.stringValue == nil {
            throw fail(["time_zone"], "expected an IANA time zone name such as \"America/Chicago\", got \(Self.shown(value))")
        }
        guard Self.isKnownTimeZone(timeZone) else {
            let hint = closestMatch(to: timeZone, in: TimeZone.knownTimeZoneIdentifiers).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw fail(["time_zone"], "\"\(timeZone)\" is not an IANA time zone name such as \"America/Chicago\"\(hint)")
        }
        let windowDays = try Self.integer(fields["window_days"], default: 7, in: 1...90) {
            fail(["window_days"], "expected a whole number of days from 1 to 90, got \($0)")
        }
        let alpha = try Self.number(fields["alpha"], default: 0.05, where: { $0 > 0 && $0 < 0.5 }) {
            fail(["alpha"], "expected a significance level between 0 and 0.5 (such as 0.05), got \($0)")
        }
        let power = try Self.number(fields["power"], default: 0.8, where: { $0 >= 0.5 && $0 < 1 }) {
            fail(["power"], "expected a power from 0.5 to below 1 (such as 0.8), got \($0)")
        }

        var limits = SandboxLimits.standard
        if let sandbox = fields["sandbox"] {
            guard let table = sandbox.tableValue else {
                throw fail(["sandbox"], "expected a table such as { memory_mb = 64, seconds = 5 }, got \(Self.shown(sandbox))")
            }
            try Self.rejectUnknown(table, allowed: Self.sandboxFields, parent: ["sandbox"], fail: fail)
            limits.memoryBytes = try Self.integer(table["memory_mb"], default: limits.memoryBytes >> 20, in: 1...4096) {
                fail(["sandbox", "memory_mb"], "expected megabytes from 1 to 4096, got \($0)")
            } << 20
            limits.instructions = UInt64(
                try Self.integer(table["instructions"], default: Int(limits.instructions), in: 1_000...Int(Int64.max)) {
                    fail(["sandbox", "instructions"], "expected a whole number of at least 1000, got \($0)")
                })
            limits.seconds = try Self.number(table["seconds"], default: limits.seconds, where: { $0 > 0 && $0 <= 600 }) {
                fail(["sandbox", "seconds"], "expected seconds above 0 and at most 600, got \($0)")
            }
        }
        self.init(
            business: business, timeZone: timeZone, windowDays: windowDays, alpha: alpha, power: power, sandbox: limits)
    }

    private static func rejectUnknown(
        _ fields: [String: LuaValue], allowed: [String], parent: [String], fail: ([String], String) -> ScriptError
    ) throws(ScriptError) {
        guard let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) else { return }
        let hint = closestMatch(to: unknown, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        throw fail(parent + [unknown], "unknown field\(hint); the fields are \(allowed.joined(separator: ", "))")
    }

    private static func integer(
        _ value: LuaValue?, default fallback: Int, in range: ClosedRange<Int>, fail: (String) -> ScriptError
    ) throws(ScriptError) -> Int {
        guard let value else { return fallback }
        guard let integer = value.integerValue, let int = Int(exactly: integer), range.contains(int) else {
            throw fail(shown(value))
        }
        return int
    }

    private static func number(
        _ value: LuaValue?, default fallback: Double, where accept: (Double) -> Bool, fail: (String) -> ScriptError
    ) throws(ScriptError) -> Double {
        guard let value else { return fallback }
        guard let number = value.doubleValue, accept(number) else { throw fail(shown(value)) }
        return number
    }

    /// A value as a message shows it: `"text"`, `42`, or `a table`.
    static func shown(_ value: LuaValue?) -> String {
        switch value {
        case nil, .nil?: "nothing"
        case .string(let text)?: "\"\(text)\""
        case .integer(let number)?: String(number)
        case .number(let number)?: String(number)
        case .boolean(let flag)?: String(flag)
        case .array?, .table?: "a table"
        case .function?: "a function"
        }
    }
}
