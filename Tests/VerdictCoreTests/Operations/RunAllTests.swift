import Foundation
import GRDB
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// `run-all`: what is due gets its verdict and recommendation, once; `apply` decides as run-all;
/// a second run for the date changes nothing; one run at a time; a broken experiment does not
/// stop the others.
@Suite struct RunAllTests {
    /// Two experiments: CHG-0007 started 2 November (window 2–8 Nov), CHG-0008 on the 6th (6–12 Nov).
    func setUp() throws -> (IngestFixture, StartTests) {
        let tests = StartTests()
        let fixture = try tests.setUp()
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"),
            at: ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!, acceptUnderpowered: true)
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "reminder", change: "CHG-0008", flag: "reminder_text", cohorts: #"{ "returning" }"#),
            at: ISO8601DateFormatter().date(from: "2026-11-06T13:00:00Z")!, acceptUnderpowered: true)
        return (fixture, tests)
    }

    func runAll(_ fixture: IngestFixture, _ date: String, apply: Bool = false) throws -> RunAllSummary {
        try RunAll(workspace: fixture.workspace, clock: FixedClock(iso8601: "\(date)T07:00:00-06:00")!, actor: "dana")
            .run(date: LocalDay(date)!, apply: apply, lockWait: 0.2)
    }

    @Test func whatIsDueGetsItsVerdictOnce() throws {
        let (fixture, _) = try setUp()
        let trail = try AuditTrail(workspace: fixture.workspace)
        // The 8th: nothing has ended.
        let early = try runAll(fixture, "2026-11-08")
        #expect(early.entries.isEmpty && early.stillRunning == 2 && early.alreadyRanAt == nil)
        // The 9th: CHG-0007's window has ended.
        let before = try trail.records().count
        let monday = try runAll(fixture, "2026-11-09")
        #expect(monday.entries.map(\.changeID) == ["CHG-0007"] && monday.stillRunning == 1)
        let entry = try #require(monday.entries.first)
        #expect(entry.recorded && entry.decided == nil && entry.window.to == "2026-11-08" && entry.title == "Book-now button on service pages")
        #expect(["keep", "rollback", "extend"].contains(entry.recommendation) && !entry.reason.isEmpty)
        #expect(entry.next == "your decision; recommended: verdict decide CHG-0007 \(entry.recommendation)")
        #expect(try trail.records().dropFirst(before).map(\.action) == ["verdict"])
        #expect(try Lifecycle(workspace: fixture.workspace, clock: StartTests.now, actor: "x").status(of: "CHG-0007").state == .evaluated)
        // Again for the same date: nothing changes, and it says so.
        let again = try runAll(fixture, "2026-11-09")
        #expect(again.alreadyRanAt == "2026-11-09T13:00:00Z" && again.entries.map(\.recorded) == [false])
        #expect(try trail.records().count == before + 1)
        // Replaying the 8th afterwards records nothing new.
        #expect(try runAll(fixture, "2026-11-08").entries.map(\.recorded) == [false])
        #expect(try trail.records().count == before + 1)
        #expect(try trail.verify().isIntact)
    }

    @Test func applyDecidesAsRunAll() throws {
        let (fixture, _) = try setUp()
        let summary = try runAll(fixture, "2026-11-13", apply: true)
        #expect(summary.entries.map(\.changeID) == ["CHG-0007", "CHG-0008"])
        #expect(summary.entries.allSatisfy { $0.decided == $0.recommendation })
        let trail = try AuditTrail(workspace: fixture.workspace)
        let decisions = try trail.records().filter { $0.action == "decision" }
        #expect(decisions.count == 2 && decisions.allSatisfy { $0.actor == RunAll.decisionActor && $0.details.contains("run-all --apply: ") })
        #expect(try trail.records().filter { $0.action == "verdict" }.allSatisfy { $0.actor == "dana" })
        // Run again: a kept or rolled-back change is not decided twice (an extended one runs on).
        let again = try runAll(fixture, "2026-11-13", apply: true)
        #expect(again.entries.allSatisfy { $0.decided == nil })
        #expect(try trail.records().filter { $0.action == "decision" }.count == 2)
    }

    /// Killed after recording a verdict and before deciding: the next run decides, once.
    @Test func aRunKilledHalfWayIsFinishedByTheNext() throws {
        let (fixture, _) = try setUp()
        let store = try fixture.workspace.openStore()
        let day = LocalDay("2026-11-09")!.number
        try store.startRun("run-all", day: day, at: 0, actor: "dana")  // started, never finished
        try Lifecycle(workspace: fixture.workspace, clock: StartTests.now, actor: "dana").evaluate("CHG-0007")
        let summary = try runAll(fixture, "2026-11-09", apply: true)
        #expect(summary.alreadyRanAt == nil && summary.entries.count == 1)
        #expect(summary.entries.first.map { !$0.recorded && $0.decided != nil } == true)
        #expect(try AuditTrail(workspace: fixture.workspace).records().filter { $0.action == "verdict" }.count == 1)
        #expect(try store.run("run-all", day: day)?.finishedAt != nil)
    }

    @Test func oneRunAtATime() throws {
        let (fixture, _) = try setUp()
        var held: RunLock? = try RunLock.acquire(in: fixture.workspace, kind: "daily", clock: StartTests.now)
        do {
            _ = try runAll(fixture, "2026-11-09")
            Issue.record("run-all ran beside another run")
        } catch let error as RunLockError {
            #expect(error.description.hasPrefix(
                "run-all did not start: another Verdict run is in progress (daily, process \(getpid()), since 2026-11-09T13:00:00Z) and did not end within 0.2 s"))
        }
        #expect(try fixture.workspace.openStore().verdicts().isEmpty)
        #expect(held != nil)
        held = nil  // that run ends
        #expect(try runAll(fixture, "2026-11-09").entries.count == 1)
    }

    @Test func aBrokenExperimentDoesNotStopTheOthers() throws {
        let (fixture, _) = try setUp()
        // CHG-0007's sealed copy is damaged in the store; CHG-0008 is fine.
        let db = try DatabaseQueue(path: fixture.workspace.storePath)
        try db.write { try $0.execute(sql: "UPDATE experiments SET sealed = '{}' WHERE change_id = 'CHG-0007'") }
        let summary = try runAll(fixture, "2026-11-13")
        #expect(summary.failures.map(\.changeID) == ["CHG-0007"] && summary.entries.map(\.changeID) == ["CHG-0008"])
        #expect(summary.alreadyRanAt == nil)
    }
}
