import ArgumentParser
import Foundation
import VerdictCore

/// `--date` and `--wait`, for the scheduled runs (`daily`, `run-all`).
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The local date to run for (YYYY-MM-DD; default: today).", valueName: "date"))
    var date: String?

    @Option(help: ArgumentHelp("How long to wait for another run to end before giving up (seconds).", valueName: "seconds"))
    var wait: Double = 10

    func validate() throws {
        if let date, LocalDay(date) == nil { throw ValidationError("--date: \"\(date)\" is not a date such as 2026-11-09") }
        if !(0...3600).contains(wait) { throw ValidationError("--wait: give seconds from 0 to 3600") }
    }

    /// The date to run for: `--date`, else today in the workspace's time zone.
    func day(in workspace: Workspace, clock: any VerdictClock) -> LocalDay {
        date.flatMap(LocalDay.init) ?? workspace.today(clock)
    }

    /// Runs `body`; another run holding the workspace's lock ends the command with status 75.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RunLockError {
            _ = Terminal.report(error)
            throw ExitCode(75)
        } catch {
            throw Terminal.report(error)
        }
    }
}
