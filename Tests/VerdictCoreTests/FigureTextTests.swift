import Foundation
import Testing
@testable import VerdictCore

/// One way to write a figure, for every surface.
@Suite struct FigureTextTests {
    @Test func percentages() {
        #expect(FigureText.percent(0.6104) == "61.0%")
        #expect(FigureText.percent(0.61, trimmed: true) == "61%")
        #expect(FigureText.percent(0.05, trimmed: true) == "5%")
        #expect(FigureText.percent(-0.167, signed: true) == "-16.7%")
        #expect(FigureText.percent(1.387, signed: true) == "+138.7%")
        #expect(FigureText.percent(0, signed: true) == "+0.0%")
        #expect(FigureText.percent(-0.0001, signed: true) == "+0.0%")  // rounds to zero: no "-0.0"
        #expect(FigureText.percent(0.00125, digits: 2) == "0.13%")  // half away from zero
        #expect(FigureText.percent(-0.00125, digits: 2) == "-0.13%")
        #expect(FigureText.percent(.infinity, signed: true) == "+∞%")
        #expect(FigureText.percent(-.infinity) == "-∞%")
        #expect(FigureText.percent(.nan) == "—")
    }

    @Test func numbers() {
        #expect(FigureText.number(0.30303, digits: 4) == "0.3030")
        #expect(FigureText.number(2.5, digits: 0) == "3")
        #expect(FigureText.number(12.50, digits: 2, trimmed: true) == "12.5")
        #expect(FigureText.number(-.infinity, digits: 1) == "-∞")
    }
}

/// The arithmetic ISO 8601 formatter writes what Foundation's formatter writes, and a fraction
/// of a second falls in its second.
@Suite struct TimeFormatTests {
    @Test func matchesISO8601DateFormatter() {
        var generator = SystemRandomNumberGenerator()
        let zones = ["UTC", "America/Chicago", "Europe/London", "Asia/Kolkata", "Australia/Adelaide", "America/St_Johns", "Pacific/Chatham"]
        for _ in 0..<3000 {
            // Whole seconds: with a fraction Foundation's own rounding wanders (through its 2001 epoch).
            let instant = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &generator)))
            let zone = TimeZone(identifier: zones.randomElement(using: &generator)!)!
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = zone
            formatter.formatOptions = [.withInternetDateTime]
            #expect(EventRecord.format(instant, in: zone) == formatter.string(from: instant), "\(instant) in \(zone.identifier)")
        }
        // Daylight saving's edges in Chicago, and the epoch.
        let chicago = TimeZone(identifier: "America/Chicago")!
        #expect(EventRecord.format(Date(timeIntervalSince1970: 1_793_516_400), in: chicago) == "2026-11-01T01:00:00-06:00")
        #expect(EventRecord.format(Date(timeIntervalSince1970: 0), in: TimeZone(identifier: "UTC")!) == "1970-01-01T00:00:00Z")
        // A fraction is in the second it falls in.
        #expect(EventRecord.format(Date(timeIntervalSince1970: 59.999), in: TimeZone(identifier: "UTC")!) == "1970-01-01T00:00:59Z")
        #expect(EventRecord.format(Date(timeIntervalSince1970: -0.25), in: TimeZone(identifier: "UTC")!) == "1969-12-31T23:59:59Z")
    }

    @Test func dollarsAreWholeAndGroupedByThousands() {
        #expect(FigureText.dollars(44378.4) == "$44,378")
        #expect(FigureText.dollars(999.5) == "$1,000")
        #expect(FigureText.dollars(0) == "$0")
        #expect(FigureText.dollars(1_234_567) == "$1,234,567")
        #expect(FigureText.dollars(-1500) == "-$1,500")
    }
}
