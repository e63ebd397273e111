import Foundation

/// Dates and times as spreadsheets write them, read in the workspace's `date_order` and time
/// zone: what a CSV of events may hold in its `timestamp` column besides ISO 8601 with an offset.
///
/// The same forms, and the same refusals, as `verdict.dates` (`dates.parse`) gives importers
/// (a test runs both over the same texts): `2026-11-05` (year first whatever the order),
/// `2026/11/05`, `11/05/2026` and `05.11.2026` (by the order), `Nov 5, 2026` and `5 Nov 2026`;
/// then an optional `14:30`, `14:30:05` or `2:30 PM`. Without an order, a date whose day could be
/// its month is refused, never guessed; a date impossible in the order is refused.
enum LocalDateText {
    struct Parts: Equatable {
        var year, month, day, hour, minute, second: Int
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// The parts of `text`, or why it is not a date.
    static func parse(_ text: String, order: DateOrder?) -> Result<Parts, ValidationFailure> {
        func failure(_ reason: String) -> Result<Parts, ValidationFailure> { .failure(ValidationFailure(reason)) }
        let notADate = "\"\(text)\" is not a date such as 2026-11-05, 11/05/2026 or Nov 5, 2026"
        var year: Int?, month: Int?, day: Int?
        var rest = Substring("")
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        if let m = trimmed.wholeMatch(of: /(\d{4})-(\d{1,2})-(\d{1,2})[T ]?(.*)/) {
            (year, month, day, rest) = (Int(m.1), Int(m.2), Int(m.3), m.4)
        } else if let m = trimmed.wholeMatch(of: /(\d{4})\/(\d{1,2})\/(\d{1,2}),?\s*(.*)/) {
            (year, month, day, rest) = (Int(m.1), Int(m.2), Int(m.3), m.4)
        } else if let m = trimmed.wholeMatch(of: /(\d{1,2})[\/.](\d{1,2})[\/.](\d{4}),?\s*(.*)/) {
            let (a, b) = (Int(m.1)!, Int(m.2)!)
            switch monthAndDay(text, a, b, order) {
            case .failure(let reason): return .failure(reason)
            case .success(let parts):
                if parts.month > 12, let order {
                    return failure(
                        "\"\(text)\" is not a date in \(order.rawValue) order (date_order in verdict.lua): there is no month \(parts.month)")
                }
                (year, month, day, rest) = (Int(m.3), parts.month, parts.day, m.4)
            }
        } else if let m = trimmed.wholeMatch(of: /([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{1,2}),?\s+(\d{4}),?\s*(.*)/) {
            (year, month, day, rest) = (Int(m.3), monthNumber(m.1), Int(m.2), m.4)
        } else if let m = trimmed.wholeMatch(of: /(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?,?\s+(\d{4}),?\s*(.*)/) {
            (year, month, day, rest) = (Int(m.3), monthNumber(m.2), Int(m.1), m.4)
        }
        guard let year, let month, let day else { return failure(notADate) }
        guard (1...12).contains(month) else { return failure("\"\(text)\" is not a real date: there is no month \(month)") }
        let days = Timestamp.daysInMonth(year, month)
        guard (1...days).contains(day) else {
            return failure("\"\(text)\" is not a real date: \(monthNames[month - 1]) \(year) has \(days) days")
        }
        switch time(rest) {
        case .failure(let reason): return .failure(reason)
        case .success(let (hour, minute, second)):
            return .success(Parts(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
        }
    }

    private static func monthNumber(_ name: Substring) -> Int? {
        let key = name.prefix(3).lowercased()
        return monthNames.firstIndex { $0.prefix(3).lowercased() == key }.map { $0 + 1 }
    }

    private static func monthAndDay(_ text: String, _ a: Int, _ b: Int, _ order: DateOrder?) -> Result<(month: Int, day: Int), ValidationFailure> {
        switch order {
        case .monthFirst: return .success((a, b))
        case .dayFirst: return .success((b, a))
        default:
            if a > 12 && b <= 12 { return .success((b, a)) }
            if b > 12 && a <= 12 { return .success((a, b)) }
            if a == b { return .success((a, b)) }
            if a > 12 && b > 12 { return .success((a, b)) }  // no month either way: refused as month a
            return .failure(ValidationFailure(
                "\"\(text)\" could be \(b) \(monthNames[a - 1]) or \(a) \(monthNames[b - 1]): set date_order = \"month_first\" or \"day_first\" in verdict.lua"))
        }
    }

    /// `14:30`, `14:30:05`, `2:30 PM`, `2:30pm`, or nothing (midnight).
    static func time(_ text: Substring) -> Result<(Int, Int, Int), ValidationFailure> {
        if text.isEmpty { return .success((0, 0, 0)) }
        guard let m = text.wholeMatch(of: /\s*(\d{1,2}):(\d{2}):?(\d{0,2})\s*([AaPp]?[Mm]?)\s*/) else {
            return .failure(ValidationFailure("\"\(text)\" is not a time such as 14:30 or 2:30 PM"))
        }
        var hour = Int(m.1)!
        let minute = Int(m.2)!
        let second = Int(m.3) ?? 0
        switch m.4.lowercased() {
        case "pm" where hour < 12: hour += 12
        case "am" where hour == 12: hour = 0
        default: break
        }
        guard hour <= 23, minute <= 59, second <= 59 else {
            return .failure(ValidationFailure("\"\(text)\" is not a time of day"))
        }
        return .success((hour, minute, second))
    }

    /// Milliseconds since 1970 of a local time in `timeZone`: a time skipped by a daylight-saving
    /// change moves forward, a repeated one takes its first occurrence (as `local_timestamp`).
    static func milliseconds(_ parts: Parts, in timeZone: TimeZone) -> Int64? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(
            year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second)
        return calendar.date(from: components).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
