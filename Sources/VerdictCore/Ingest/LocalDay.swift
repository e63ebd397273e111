import Foundation

/// A local calendar day in the workspace time zone, stored as days since 1970-01-01.
public struct LocalDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public var number: Int32

    /// Creates a day from its number.
    public init(number: Int32) {
        self.number = number
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year, month)
        else { return nil }
        number = Int32(Timestamp.daysFromCivil(year, month, day))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = Timestamp.civil(fromDays: Int(number))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))"
    }

    public static func < (a: LocalDay, b: LocalDay) -> Bool { a.number < b.number }
}

/// Turns instants into local days of one time zone, correctly across daylight-saving changes.
///
/// Offsets are cached per quarter hour of UTC: every time zone changes its offset on a quarter
/// hour, so one lookup serves all the events of that quarter hour. Not thread-safe: each
/// ingest worker keeps its own.
struct LocalDayCalendar {
    let timeZone: TimeZone
    /// A direct-mapped cache: quarter hour (UTC) → offset in ms; no hashing on the hot path.
    private var keys = [Int64](repeating: .min, count: 8192)
    private var offsets = [Int64](repeating: 0, count: 8192)

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    mutating func day(ofMilliseconds ms: Int64) -> Int32 {
        let quarter = ms >= 0 ? ms / 900_000 : (ms - 899_999) / 900_000
        let slot = Int(UInt64(bitPattern: quarter) & 8191)
        let offset: Int64
        if keys[slot] == quarter {
            offset = offsets[slot]
        } else {
            let date = Date(timeIntervalSince1970: Double(quarter * 900))
            offset = Int64(timeZone.secondsFromGMT(for: date)) * 1000
            keys[slot] = quarter
            offsets[slot] = offset
        }
        let local = ms + offset
        return Int32(local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000)
    }
}
