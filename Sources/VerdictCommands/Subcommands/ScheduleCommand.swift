import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict schedule`: crontab lines and systemd timers for this workspace.
    struct ScheduleCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Print ready-to-paste crontab lines and systemd timers for the daily and weekly runs of this workspace.",
            discussion: """
                Times are local to the workspace's time zone (verdict.lua), whatever the machine's. The \
                systemd timers are Persistent, so a run missed while the machine was off or asleep runs when \
                it wakes; docs/operations.md explains the choice of times.

                Examples:
                  verdict schedule
                  verdict schedule --daily-at 06:00 --weekly-on mon --weekly-at 07:30 --apply
                """
        )

        @Option(help: ArgumentHelp("The morning run's local time (HH:MM).", valueName: "time"))
        var dailyAt = "06:30"

        @Option(help: ArgumentHelp("The weekly run's day (mon ... sun).", valueName: "day"))
        var weeklyOn = "mon"

        @Option(help: ArgumentHelp("The weekly run's local time (HH:MM).", valueName: "time"))
        var weeklyAt = "07:00"

        @Flag(help: "Let the weekly run carry out its recommendations (run-all --apply).")
        var apply = false

        @OptionGroup var options: WorkspaceOptions

        static func time(_ text: String, _ option: String) throws -> (hour: Int, minute: Int) {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else {
                throw ValidationError("\(option): \"\(text)\" is not a time such as 06:30")
            }
            return (hour, minute)
        }

        func validate() throws {
            _ = try Self.time(dailyAt, "--daily-at")
            _ = try Self.time(weeklyAt, "--weekly-at")
            guard Self.weekdays.contains(weeklyOn.lowercased()) else {
                throw ValidationError("--weekly-on: \"\(weeklyOn)\" is not one of \(Self.weekdays.joined(separator: ", "))")
            }
        }

        static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

        func run() async throws {
            let workspace: Workspace
            do {
                workspace = try options.load()
            } catch {
                throw Terminal.report(error)
            }
            let schedule = Schedule(
                workspace: workspace.root.standardizedFileURL, executable: Installation.executable, timeZone: workspace.settings.timeZone,
                dailyAt: try Self.time(dailyAt, "--daily-at"), weeklyDay: Self.weekdays.firstIndex(of: weeklyOn.lowercased())! + 1,
                weeklyAt: try Self.time(weeklyAt, "--weekly-at"), apply: apply)
            var text = "# Verdict's runs for \(workspace.settings.business), in \(workspace.settings.timeZone).\n"
            text += "# With cron: crontab -e, and add\n\n" + schedule.crontab + "\n"
            text += "# Or with systemd (catches up a run missed while asleep): put each file in ~/.config/systemd/user/,\n"
            text += "# then: systemctl --user daemon-reload && systemctl --user enable --now verdict-daily.timer verdict-run-all.timer\n"
            for (name, unit) in schedule.systemdUnits {
                text += "\n# \(name)\n" + unit
            }
            Terminal.write(text)
        }
    }
}
