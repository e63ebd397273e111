import Foundation

/// Where "now" comes from: the system, or a fixed instant so that any run can be replayed.
public protocol VerdictClock: Sendable {
    /// The current instant.
    func now() -> Date
}

extension VerdictClock {
    /// The current instant in milliseconds since 1970.
    public func nowMilliseconds() -> Int64 {
        Int64((now().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// The system clock.
public struct SystemClock: VerdictClock {
    /// Creates the system clock.
    public init() {}
    /// The current instant.
    public func now() -> Date { Date() }
}

/// A clock stopped at one instant (`--now`, `VERDICT_NOW`).
public struct FixedClock: VerdictClock {
    /// The instant it always tells.
    public let instant: Date

    /// Creates a clock stopped at `instant`.
    public init(_ instant: Date) {
        self.instant = instant
    }

    /// Parses an ISO 8601 timestamp with an offset, such as `2026-11-23T07:00:00-06:00`.
    public init?(iso8601 text: String) {
        guard case .success(let ms) = Timestamp.parse(text) else { return nil }
        instant = Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    /// The instant.
    public func now() -> Date { instant }
}
