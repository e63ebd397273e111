import ArgumentParser
import Foundation
import VerdictCore

/// `--now`, so any run can be replayed at a fixed instant (also `VERDICT_NOW`).
struct ClockOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run as if it were this instant (ISO 8601 with offset; default: VERDICT_NOW, else the system clock).", valueName: "time"))
    var now: String?

    func clock() throws -> any VerdictClock {
        guard let text = now ?? ProcessInfo.processInfo.environment["VERDICT_NOW"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return SystemClock()
        }
        guard let clock = FixedClock(iso8601: text) else {
            throw ValidationError("--now / VERDICT_NOW: \"\(text)\" is not an ISO 8601 time with an offset, such as 2026-11-23T07:00:00-06:00")
        }
        return clock
    }
}
