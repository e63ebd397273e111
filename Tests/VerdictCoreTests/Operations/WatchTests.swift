import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// After a keep, `daily` keeps watching the change: its leading indicator and guardrails over
/// the days since against the window's control arm; a breach throttles, a second rolls it back
/// (a reversal of the keep), and the watch ends when it is over.
@Suite struct WatchTests {
    /// The conversion template's change, quiet in its window (1% errors in both arms), kept on
    /// 9 November; from the 10th the treatment's booking errors are `errors(day)` in 100.
    func kept(errors: @escaping (Int) -> Int) throws -> (IngestFixture, DailyTests) {
        let daily = DailyTests()
        let (fixture, _) = try daily.setUp(errors: { _ in 1 })
        let monday = FixedClock(iso8601: "2026-11-09T09:00:00-06:00")!
        try Lifecycle(workspace: fixture.workspace, clock: monday, actor: "dana").decide("CHG-0007", .keep, note: "no harm seen")
        var rows: [String] = []
        for day in 10...20 {
            let date = String(format: "2026-11-%02d", day)
            for index in 0..<100 {
                let failed = index < errors(day)
                rows.append(
                    #"{"event":"booking_submit","timestamp":"\#(date)T20:00:00Z","user_id":"k-\#(day)-\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on","status":"\#(failed ? "error:timeout" : "success")"}"#)
                if index < 20 {
                    rows.append(#"{"event":"book_now_click","timestamp":"\#(date)T20:00:00Z","user_id":"k-\#(day)-\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on","status":"success"}"#)
                }
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "after-keep.jsonl")
        return (fixture, daily)
    }

    @Test func aKeptChangeThatDegradesIsThrottledThenRolledBack() throws {
        let (fixture, daily) = try kept(errors: { $0 >= 12 ? 15 : 1 })
        let trail = try AuditTrail(workspace: fixture.workspace)
        // Quiet days: ok; the run of the 12th also does the 11th's missed check.
        let quiet = try daily.daily(fixture, "2026-11-12")
        #expect(quiet.watched.first?.checks.map(\.day) == ["2026-11-11", "2026-11-12"])
        #expect(quiet.watched.first?.checks.map(\.status) == ["ok", "ok"], "\(quiet.text)")
        #expect(quiet.text.contains("CHG-0007 Book-now button on service pages: kept on 2026-11-09, watched through 2026-12-07 (kept)"))
        #expect(try daily.status(fixture).state == .kept)
        // The 12th goes bad: the check of the 13th sees it, and throttles.
        let first = try daily.daily(fixture, "2026-11-13")
        #expect(first.watched.first?.actions.first?.contains("booking_submit error rate past its limit") == true)
        #expect(first.watched.first?.actions.first?.hasSuffix("throttled to 10% (first breach since it was kept)") == true, "\(first.text)")
        #expect(try daily.status(fixture).state == .kept && daily.status(fixture).flag?.state == .throttled && daily.status(fixture).flag?.share == 0.1)
        #expect(first.text.contains("ACTION: watch check of 2026-11-13"))
        // Again the next day: rolled back, a reversal of the keep, on every surface.
        let second = try daily.daily(fixture, "2026-11-14")
        #expect(second.watched.first?.actions.first?.hasSuffix("rolled back: the flag is off, a reversal of the keep (breach 2 since it was kept)") == true)
        let status = try daily.status(fixture)
        #expect(status.state == .reversed && status.flag?.state == .off)
        let breaches = try trail.records().filter { $0.action == "safety-breach" }.map(\.actor)
        #expect(breaches == ["daily", "daily"])
        let flags = try String(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"), encoding: .utf8)
        #expect(flags.contains(#""state": "off""#))
        let board = try Dashboard.make(workspace: fixture.workspace, clock: FixedClock(iso8601: "2026-11-14T08:00:00-06:00")!, date: LocalDay("2026-11-14")!)
        #expect(board.changes.first?.chip.detail == "after it was kept: a reversal")
        // Nothing more is watched, and a second run of the day does nothing new.
        #expect(try daily.daily(fixture, "2026-11-15").watched.isEmpty)
        #expect(try daily.daily(fixture, "2026-11-14").alreadyRanAt != nil)
        #expect(try trail.verify().isIntact)
    }

    @Test func theWatchEndsAndTheChangeIsKeptForGood() throws {
        let (fixture, daily) = try kept(errors: { _ in 1 })
        // Run late, after the watch: the missed days are checked in order, then it ends.
        let late = try daily.daily(fixture, "2026-12-08")
        let watched = try #require(late.watched.first)
        #expect(watched.checks.allSatisfy { $0.status == "ok" || $0.status == "waiting" })
        #expect(watched.state == .ended && watched.actions.last == "its watch is over (2026-11-09 to 2026-12-07): it has ended, kept for good")
        #expect(try daily.status(fixture).state == .ended && daily.status(fixture).flag?.state == .kept)
        #expect(try AuditTrail(workspace: fixture.workspace).records().last { $0.action == "watch-end" }?.actor == "daily")
        #expect(try daily.daily(fixture, "2026-12-09").watched.isEmpty)
        // Rollback at any time: an ended change too.
        let later = FixedClock(iso8601: "2027-01-05T09:00:00-06:00")!
        #expect(try Lifecycle(workspace: fixture.workspace, clock: later, actor: "dana").decide("CHG-0007", .rollback, note: "not needed").status.state == .reversed)
    }
}
