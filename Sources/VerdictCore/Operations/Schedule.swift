import Foundation

/// Ready-to-paste schedules for a workspace: crontab lines and systemd user timers for the
/// morning `daily` and the weekly `run-all` (docs/operations.md says why these times).
public struct Schedule: Sendable {
    public var workspace: URL
    public var executable: URL
    public var timeZone: String
    /// The daily run's local time, and the weekly run's weekday (1 Monday ... 7 Sunday) and time.
    public var dailyAt: (hour: Int, minute: Int)
    public var weeklyDay: Int
    public var weeklyAt: (hour: Int, minute: Int)
    /// Whether the weekly run carries out its recommendations.
    public var apply: Bool

    public init(
        workspace: URL, executable: URL, timeZone: String, dailyAt: (hour: Int, minute: Int) = (6, 30), weeklyDay: Int = 1,
        weeklyAt: (hour: Int, minute: Int) = (7, 0), apply: Bool = false
    ) {
        self.workspace = workspace
        self.executable = executable
        self.timeZone = timeZone
        self.dailyAt = dailyAt
        self.weeklyDay = weeklyDay
        self.weeklyAt = weeklyAt
        self.apply = apply
    }

    static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// A path quoted for a shell.
    static func quoted(_ path: String) -> String {
        "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    var runAll: String { apply ? "run-all --apply" : "run-all" }

    /// Lines for `crontab -e`.
    public var crontab: String {
        let folder = Self.quoted(workspace.path), binary = Self.quoted(executable.path)
        return """
            CRON_TZ=\(timeZone)
            \(dailyAt.minute) \(dailyAt.hour) * * *  cd \(folder) && \(binary) daily >> .verdict/daily.log 2>&1
            \(weeklyAt.minute) \(weeklyAt.hour) * * \(weeklyDay % 7)  cd \(folder) && \(binary) \(runAll) >> .verdict/run-all.log 2>&1

            """
    }

    /// systemd user units: a service and a timer for each run, by file name.
    public var systemdUnits: [(name: String, text: String)] {
        func service(_ arguments: String, _ what: String) -> String {
            """
            [Unit]
            Description=Verdict \(what) for \(workspace.path)

            [Service]
            Type=oneshot
            WorkingDirectory=\(workspace.path)
            ExecStart=\(executable.path.contains(" ") ? "\"\(executable.path)\"" : executable.path) \(arguments)

            """
        }
        func timer(_ calendar: String, _ what: String) -> String {
            """
            [Unit]
            Description=Verdict \(what) for \(workspace.path)

            [Timer]
            OnCalendar=\(calendar) \(timeZone)
            Persistent=true

            [Install]
            WantedBy=timers.target

            """
        }
        let daily = String(format: "*-*-* %02d:%02d:00", dailyAt.hour, dailyAt.minute)
        let weekly = String(format: "%@ *-*-* %02d:%02d:00", Self.days[weeklyDay - 1], weeklyAt.hour, weeklyAt.minute)
        return [
            ("verdict-daily.service", service("daily", "morning run")), ("verdict-daily.timer", timer(daily, "morning run")),
            ("verdict-run-all.service", service(runAll, "weekly verdicts")), ("verdict-run-all.timer", timer(weekly, "weekly verdicts")),
        ]
    }
}
