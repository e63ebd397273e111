/// ISO 8601 timestamps with a UTC offset, as events carry them.
///
/// Accepted: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or an offset `±HH:MM`, `±HHMM`
/// or `±HH` (a space may stand for the `T`). Fractions finer than a millisecond are truncated.
enum Timestamp {
    /// Why a timestamp was refused.
    enum Failure: Error, Equatable {
        case notISO8601
        case noOffset
        /// Well formed, but no such date or time (month 13, 31 November, hour 24).
        case notARealDate(String)
        case outOfRange
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    static func parse(_ text: String) -> Result<Int64, Failure> {
        var copy = text
        return copy.withUTF8 { parse($0) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Result<Int64, Failure> {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for k in i..<(i + count) {
                let d = Int(b[k]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
            }
            i += count
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < b.count, b[i] == byte else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2) else {
            return .failure(.notISO8601)
        }
        guard i < b.count, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 else {
            return .failure(i == b.count ? .noOffset : .notISO8601)
        }
        i += 1
        guard let hour = digits(2), expect(0x3A), let minute = digits(2) else { return .failure(.notISO8601) }
        var second = 0
        var millisecond = 0
        if expect(0x3A) {
            guard let s = digits(2) else { return .failure(.notISO8601) }
            second = s
            if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
                i += 1
                var count = 0
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    if count < 3 { millisecond = millisecond * 10 + Int(b[i] - 0x30) }
                    count += 1
                    i += 1
                }
                guard count > 0, count <= 9 else { return .failure(.notISO8601) }
                for _ in count..<max(count, 3) { millisecond *= 10 }
            }
        }
        guard i < b.count else { return .failure(.noOffset) }
        var offsetMinutes = 0
        switch b[i] {
        case 0x5A, 0x7A:  // Z z
            i += 1
        case 0x2B, 0x2D:  // + -
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let hours = digits(2) else { return .failure(.notISO8601) }
            var minutes = 0
            if i < b.count {
                _ = expect(0x3A)
                guard let m = digits(2) else { return .failure(.notISO8601) }
                minutes = m
            }
            guard hours <= 18, minutes <= 59 else { return .failure(.notISO8601) }
            offsetMinutes = sign * (hours * 60 + minutes)
        default:
            return .failure(.notISO8601)
        }
        guard i == b.count else { return .failure(.notISO8601) }
        guard (1...12).contains(month) else { return .failure(.notARealDate("there is no month \(month)")) }
        guard day >= 1, day <= daysInMonth(year, month) else {
            return .failure(.notARealDate("month \(month) of \(year) has no day \(day)"))
        }
        guard hour <= 23, minute <= 59, second <= 59 else {
            return .failure(.notARealDate("\(hour):\(minute):\(second) is not a time of day"))
        }
        guard (1900...2999).contains(year) else { return .failure(.outOfRange) }
        let days = Int64(daysFromCivil(year, month, day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return .success(seconds * 1000 + Int64(millisecond))
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day number (days since 1970-01-01).
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
