import Foundation

/// `verdict serve --daily-at HH:MM`: the morning run in the server's own process, and on the
/// weekly day the weekly run right after it. The runs take the same lock as cron's
/// (`ScheduledRun`), so a cron job and the server never both run, and a run already done for
/// the date changes nothing.
public struct ServerSchedule: Sendable {
    /// The local time of the morning run (seconds allowed, for tests).
    public var dailyAt: (hour: Int, minute: Int, second: Int)
    /// The weekly run's day: 1 Monday ... 7 Sunday.
    public var weeklyDay: Int
    /// Whether the weekly run carries out its recommendations (`run-all --apply`).
    public var apply: Bool

    public init(dailyAt: (hour: Int, minute: Int, second: Int), weeklyDay: Int = 1, apply: Bool = false) {
        self.dailyAt = dailyAt
        self.weeklyDay = weeklyDay
        self.apply = apply
    }

    /// The first instant after `instant` whose local time in `zone` is `dailyAt` (on a day when
    /// daylight saving skips that time, the calendar's next valid instant).
    public func next(after instant: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var parts = calendar.dateComponents([.year, .month, .day], from: instant)
        parts.hour = dailyAt.hour
        parts.minute = dailyAt.minute
        parts.second = dailyAt.second
        var candidate = calendar.date(from: parts) ?? instant
        while candidate <= instant { candidate = calendar.date(byAdding: .day, value: 1, to: candidate) ?? instant.addingTimeInterval(86_400) }
        return candidate
    }

    /// ISO weekday of a local day: 1 Monday ... 7 Sunday (1970-01-01 was a Thursday).
    public static func weekday(_ day: LocalDay) -> Int {
        Int(((Int64(day.number) + 3) % 7 + 7) % 7) + 1
    }

    /// Runs what is due on `date`: the morning run, then on the weekly day the weekly run.
    /// Returns each run's summary, or why it did not run (another run held the lock).
    public func runDue(workspace: Workspace, clock: any VerdictClock, date: LocalDay, actor: String = "serve") -> [String] {
        var done: [String] = []
        do {
            done.append(try Daily(workspace: workspace, clock: clock, actor: actor).run(date: date, lockWait: 60).text)
        } catch {
            done.append("daily for \(date) did not run: \(error)")
        }
        if Self.weekday(date) == weeklyDay {
            do {
                let summary = try RunAll(workspace: workspace, clock: clock, actor: actor).run(date: date, apply: apply, lockWait: 60)
                done.append("run-all for \(date): \(summary.entries.count) verdict(s), \(summary.stillRunning) still running")
            } catch {
                done.append("run-all for \(date) did not run: \(error)")
            }
        }
        return done
    }
}
