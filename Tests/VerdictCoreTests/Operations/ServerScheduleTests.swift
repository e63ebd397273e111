import Foundation
import Testing
@testable import VerdictCore

/// `verdict serve --daily-at`: when the next run is, and which runs a date gets.
@Suite struct ServerScheduleTests {
    let chicago = TimeZone(identifier: "America/Chicago")!
    func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func theNextRunIsTheNextLocalTimeAfterNow() {
        let schedule = ServerSchedule(dailyAt: (6, 0, 0))
        #expect(schedule.next(after: instant("2026-11-09T05:59:00-06:00"), in: chicago) == instant("2026-11-09T06:00:00-06:00"))
        // At the time itself, or after it: tomorrow's.
        #expect(schedule.next(after: instant("2026-11-09T06:00:00-06:00"), in: chicago) == instant("2026-11-10T06:00:00-06:00"))
        #expect(schedule.next(after: instant("2026-11-09T23:30:00-06:00"), in: chicago) == instant("2026-11-10T06:00:00-06:00"))
        // Across the change back to standard time (1 November 2026): still 06:00 local.
        #expect(schedule.next(after: instant("2026-10-31T07:00:00-05:00"), in: chicago) == instant("2026-11-01T06:00:00-06:00"))
        // On the day daylight saving skips 02:30, the run is that day, not lost.
        let skipped = ServerSchedule(dailyAt: (2, 30, 0)).next(after: instant("2026-03-08T00:00:00-06:00"), in: chicago)
        #expect(skipped > instant("2026-03-08T00:00:00-06:00") && skipped < instant("2026-03-09T00:00:00-05:00"))
    }

    @Test func mondayIsTheFirstDay() {
        #expect(ServerSchedule.weekday(LocalDay("2026-11-09")!) == 1)  // a Monday
        #expect(ServerSchedule.weekday(LocalDay("2026-11-15")!) == 7)
        #expect(ServerSchedule.weekday(LocalDay("1970-01-01")!) == 4)
    }
}
