import Foundation
import Testing
@testable import VerdictCore

/// `verdict schedule`: crontab lines and systemd timers that run in the workspace's time zone.
@Suite struct ScheduleTests {
    let schedule = Schedule(
        workspace: URL(fileURLWithPath: "/srv/bright spark"), executable: URL(fileURLWithPath: "/usr/local/bin/verdict"),
        timeZone: "America/Chicago", dailyAt: (6, 5), weeklyDay: 1, weeklyAt: (7, 30), apply: true)

    @Test func crontabLines() {
        #expect(schedule.crontab == """
            CRON_TZ=America/Chicago
            5 6 * * *  cd '/srv/bright spark' && '/usr/local/bin/verdict' daily >> .verdict/daily.log 2>&1
            30 7 * * 1  cd '/srv/bright spark' && '/usr/local/bin/verdict' run-all --apply >> .verdict/run-all.log 2>&1

            """)
        var sunday = schedule
        sunday.weeklyDay = 7
        #expect(sunday.crontab.contains("30 7 * * 0  cd"))  // cron counts Sunday as 0
    }

    @Test func systemdTimersAreValidCalendars() throws {
        let units = Dictionary(uniqueKeysWithValues: schedule.systemdUnits.map { ($0.name, $0.text) })
        #expect(units.keys.sorted() == ["verdict-daily.service", "verdict-daily.timer", "verdict-run-all.service", "verdict-run-all.timer"])
        #expect(units["verdict-run-all.service"]?.contains("ExecStart=/usr/local/bin/verdict run-all --apply") == true)
        #expect(units["verdict-daily.service"]?.contains("WorkingDirectory=/srv/bright spark") == true)
        let calendars = units.values.compactMap { text in
            text.split(separator: "\n").first { $0.hasPrefix("OnCalendar=") }.map { String($0.dropFirst("OnCalendar=".count)) }
        }.sorted()
        #expect(calendars == ["*-*-* 06:05:00 America/Chicago", "Mon *-*-* 07:30:00 America/Chicago"])
        #expect(units.values.filter { $0.contains("Persistent=true") }.count == 2)
        // systemd itself parses them, where it is installed.
        let analyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        guard FileManager.default.isExecutableFile(atPath: analyze.path) else { return }
        for calendar in calendars {
            let process = Process()
            process.executableURL = analyze
            process.arguments = ["calendar", calendar]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "systemd-analyze calendar \(calendar)")
        }
    }
}
