import Foundation
import Testing
import VerdictCore
import VerdictTestSupport

/// `verdict run-all` as cron runs it: a second process waits, then exits 75 having done nothing;
/// the same date twice says so; --json gives the summary.
@Suite struct RunAllCommandTests {
    static let now = ["--now", "2026-11-09T07:00:00-06:00"]

    func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        _ = try VerdictProcess.run(["new", "book-now", "--change-id", "CHG-0007"] + Self.now, in: folder.url)
        _ = try VerdictProcess.run(["ingest", Repository.file("experiments/examples/website-events.jsonl").path] + Self.now, in: folder.url)
        let start = try VerdictProcess.run(
            ["start", "book-now", "--at", "2026-11-02T07:00:00-06:00", "--accept-underpowered"] + Self.now, in: folder.url)
        #expect(start.status == 0, "\(start.error)")
        return folder
    }

    @Test func aSecondRunWaitsThenGivesUpHavingDoneNothing() throws {
        let folder = try workspace()
        let workspace = try Workspace(root: folder.url, library: .success(BundledLibrary(plugins: Repository.file("plugins"), templates: Repository.file("experiments/templates"))))
        var held: RunLock? = try RunLock.acquire(in: workspace, kind: "daily", clock: FixedClock(iso8601: "2026-11-09T06:00:00-06:00")!)
        let busy = try VerdictProcess.run(["run-all", "--wait", "0.3"] + Self.now, in: folder.url)
        #expect(busy.status == 75)
        #expect(busy.error.contains("error: run-all did not start: another Verdict run is in progress (daily, process"))
        #expect(busy.error.contains("did not end within 0.3 s. Nothing ran twice"))
        #expect(try VerdictProcess.run(["audit", "--csv"], in: folder.url).output.contains(",verdict,") == false)
        #expect(held != nil)
        held = nil

        let first = try VerdictProcess.run(["run-all"] + Self.now, in: folder.url)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.hasPrefix("run-all for 2026-11-09: 1 verdict recorded. 0 still running."))
        #expect(first.output.contains("your decision; recommended: verdict decide CHG-0007 keep"))
        let second = try VerdictProcess.run(["run-all"] + Self.now, in: folder.url)
        #expect(second.output.hasPrefix("run-all for 2026-11-09: already ran at 2026-11-09T13:00:00Z; nothing changed."))

        let json = try VerdictProcess.run(["run-all", "--json", "--apply"] + Self.now, in: folder.url)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let entries = try #require(summary["entries"] as? [[String: Any]])
        #expect(summary["date"] as? String == "2026-11-09" && summary["applied"] as? Bool == true)
        #expect(entries.first?["decided"] as? String == "keep" && entries.first?["verdict"] as? String == "inconclusive")
        let status = try VerdictProcess.run(["status"] + Self.now, in: folder.url)
        #expect(status.output.hasPrefix("CHG-0007  kept  verdict inconclusive"))
    }

    @Test func badDatesAreRefused() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url)
        let bad = try VerdictProcess.run(["run-all", "--date", "2026-13-01"], in: folder.url)
        #expect(bad.status == 64 && bad.error.contains("--date: \"2026-13-01\" is not a date"))
        let empty = try VerdictProcess.run(["run-all"] + Self.now, in: folder.url)
        #expect(empty.status == 0 && empty.output == "run-all for 2026-11-09: 0 verdicts recorded. 0 still running.\n")
    }
}
