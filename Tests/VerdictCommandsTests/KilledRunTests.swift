import Foundation
import Testing
import VerdictCore
import VerdictTestSupport

/// `run-all --apply` and `daily` killed with SIGKILL at some point, then run again: every
/// verdict, decision and safety action is there exactly once, flags agree with the experiments,
/// flags.json with the store, and the trail is intact.
@Suite(.serialized) struct KilledRunTests {
    static let now = "2026-11-09T07:00:00-06:00"
    static let changes = 12

    /// A workspace with `changes` experiments started on 2 November (forced side by side), each with
    /// a week of events: a booking lift for even ones, a drop for odd ones.
    func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        func run(_ arguments: [String]) throws {
            let result = try VerdictProcess.run(arguments, in: folder.url, environment: ["VERDICT_NOW": Self.now])
            #expect(result.status == 0, "\(arguments): \(result.error)")
        }
        try run(["init", ".", "--time-zone", "America/Chicago"])
        var rows: [String] = []
        for number in 1...Self.changes {
            let change = String(format: "CHG-%04d", number)
            try run(["new", "c\(number)", "--change-id", change])
            let file = folder.url.appendingPathComponent("experiments/c\(number).lua")
            try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "book_now_button", with: "flag_\(number)")
                .write(to: file, atomically: true, encoding: .utf8)
            try run(["start", "c\(number)", "--at", "2026-11-02T07:00:00-06:00", "--accept-underpowered", "--force"])
            for day in 2...8 {
                for index in 0..<40 {
                    for arm in ["off", "on"] {
                        let user = "\(change)-\(arm)-\(day)-\(index)"
                        let base = #""user_id":"\#(user)","user_cohort":"new_customer","change_id":"\#(change)","version_flag":"\#(arm)""#
                        rows.append(#"{"event":"quote_viewed","timestamp":"2026-11-0\#(day)T18:00:00Z",\#(base)}"#)
                        let rate = arm == "off" ? 10 : (number % 2 == 0 ? 16 : 5)
                        if index < rate { rows.append(#"{"event":"appointment_booked","timestamp":"2026-11-0\#(day)T18:30:00Z",\#(base)}"#) }
                        rows.append(#"{"event":"booking_submit","timestamp":"2026-11-0\#(day)T19:00:00Z",\#(base),"status":"\#(arm == "on" && number % 3 == 0 && index < 8 ? "error:x" : "success")"}"#)
                    }
                }
            }
        }
        try rows.joined(separator: "\n").write(to: folder.url.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
        try run(["ingest", "events.jsonl"])
        return folder
    }

    /// Runs verdict with `arguments` and kills it with SIGKILL after `delay` seconds (if still
    /// running); returns whether the signal ended it.
    @discardableResult
    func killed(_ arguments: [String], in folder: URL, after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = try VerdictProcess.executable
        process.arguments = arguments + ["--now", Self.now]
        process.environment = ProcessInfo.processInfo.environment.merging(["VERDICT_NOW": Self.now]) { _, new in new }
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
    }

    func checkExactlyOnce(_ folder: URL) throws {
        let workspace = try Workspace(
            root: folder, library: .success(BundledLibrary(plugins: Repository.file("plugins"), templates: Repository.file("experiments/templates"))))
        let trail = try AuditTrail(workspace: workspace)
        #expect(try trail.verify().isIntact)
        let records = try trail.records()
        let lifecycle = try Lifecycle(workspace: workspace, clock: FixedClock(iso8601: Self.now)!, actor: "test")
        let flagsFile = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("flags.json"))) as? [String: Any]
        let filed = flagsFile?["flags"] as? [String: [String: Any]] ?? [:]
        for status in try lifecycle.statuses() {
            let mine = records.filter { $0.changeID == status.changeID }
            #expect(mine.filter { $0.action == "verdict" }.count == 1, "\(status.changeID): one verdict")
            #expect(mine.filter { $0.action == "decision" }.count == 1, "\(status.changeID): one decision")
            let flag = try #require(status.flag)
            switch status.state {
            case .kept: #expect(flag.state == .kept && flag.share == 1)
            case .rolledBack: #expect(flag.state == .off && flag.share == 0)
            case .extended: #expect(flag.state == .on && status.windowEnd == "2026-11-15")
            default: Issue.record("\(status.changeID) left \(status.state)")
            }
            #expect(filed[flag.key]?["state"] as? String == flag.state.rawValue, "flags.json agrees for \(flag.key)")
        }
    }

    /// Copies the prepared workspace for one attempt.
    func copy(_ folder: TemporaryFolder) throws -> TemporaryFolder {
        let attempt = try TemporaryFolder()
        try FileManager.default.removeItem(at: attempt.url)
        try FileManager.default.copyItem(at: folder.url, to: attempt.url)
        return attempt
    }

    func count(_ action: String, in folder: URL) throws -> Int {
        try VerdictProcess.run(["audit", "--csv"], in: folder).output.components(separatedBy: ",\(action),").count - 1
    }

    /// How long a whole run of `arguments` takes on a copy of `prepared`, in seconds.
    func duration(_ arguments: [String], on prepared: TemporaryFolder) throws -> Double {
        let attempt = try copy(prepared)
        let start = ContinuousClock.now
        _ = try VerdictProcess.run(arguments + ["--now", Self.now], in: attempt.url)
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Kills `run-all --apply` at delays spread over the second half of a whole run's time (it
    /// computes the verdicts first, then records them) until one attempt dies with some verdicts
    /// but not all recorded; every attempt is then run again and must end exactly once.
    @Test func runAllKilledAtAnyPointIsFinishedExactlyOnce() throws {
        let prepared = try workspace()
        let whole = try duration(["run-all", "--apply"], on: prepared)
        var midway = false
        var delay = 0.02
        for attempt in 0..<24 where !midway {
            delay = attempt < 4 ? 0.02 * Double(attempt + 1) : whole * (0.45 + 0.03 * Double(attempt - 4))
            let attempt = try copy(prepared)
            let wasKilled = try killed(["run-all", "--apply"], in: attempt.url, after: delay)
            let recorded = try count("verdict", in: attempt.url)
            midway = wasKilled && recorded > 0 && recorded < Self.changes
            let again = try VerdictProcess.run(["run-all", "--apply", "--now", Self.now], in: attempt.url)
            #expect(again.status == 0, "\(again.error)")
            try checkExactlyOnce(attempt.url)
            #expect(try VerdictProcess.run(["run-all", "--apply", "--now", Self.now], in: attempt.url).output.contains("already ran at"))
        }
        #expect(midway, "no attempt was killed half way through; the run is too fast for these delays")
    }

    /// The same for `daily` on the 4th, whose safety checks throttle every third change (its 24-hour
    /// check, caught up) and then roll it back (its 48-hour check).
    @Test func dailyKilledAtAnyPointActsExactlyOnce() throws {
        let prepared = try workspace()
        var midway = false
        var delay = 0.02
        let whole = try duration(["daily", "--date", "2026-11-04"], on: prepared)
        for attempt in 0..<24 where !midway {
            // The checks act early in the run, before the dashboard it then refreshes: the delays
            // step through the first half of it finely.
            delay = attempt < 4 ? 0.02 * Double(attempt + 1) : whole * (0.02 + 0.025 * Double(attempt - 4))
            let attempt = try copy(prepared)
            let wasKilled = try killed(["daily", "--date", "2026-11-04"], in: attempt.url, after: delay)
            let acted = try count("safety-breach", in: attempt.url)
            midway = wasKilled && acted > 0 && acted < 2 * Self.changes / 3
            let again = try VerdictProcess.run(["daily", "--date", "2026-11-04", "--now", Self.now], in: attempt.url)
            #expect(again.status == 0, "\(again.error)")
            // Two breaches (a throttle, then a rollback) for each of the four changes with errors, none for the others.
            #expect(try count("safety-breach", in: attempt.url) == 2 * Self.changes / 3)
            let workspace = try Workspace(
                root: attempt.url,
                library: .success(BundledLibrary(plugins: Repository.file("plugins"), templates: Repository.file("experiments/templates"))))
            #expect(try AuditTrail(workspace: workspace).verify().isIntact)
            let filed = (try JSONSerialization.jsonObject(with: Data(contentsOf: attempt.url.appendingPathComponent("flags.json"))) as? [String: Any])?["flags"]
                as? [String: [String: Any]] ?? [:]
            for status in try Lifecycle(workspace: workspace, clock: FixedClock(iso8601: Self.now)!, actor: "t").statuses() {
                let breached = Int(status.changeID.suffix(4))! % 3 == 0
                #expect(status.state == (breached ? .rolledBack : .running) && status.flag?.share == (breached ? 0 : 0.5))
                #expect(filed[status.flag!.key]?["share"] as? Double == status.flag?.share, "flags.json agrees for \(status.changeID)")
            }
        }
        #expect(midway, "no attempt was killed half way through; the run is too fast for these delays")
        // Each breach is an incident, recovered when the flag went off: the workspace's mean time
        // to recover says so (the 24- and 48-hour checks ran in one morning's catch-up).
        let attempt = try copy(prepared)
        _ = try VerdictProcess.run(["daily", "--date", "2026-11-04", "--now", Self.now], in: attempt.url)
        let status = try VerdictProcess.run(["status", "--now", Self.now], in: attempt.url)
        #expect(status.output.contains("last 90 days: \(2 * Self.changes / 3) incidents, mean time to recover 0 hours"), "\(status.output)")
    }
}
