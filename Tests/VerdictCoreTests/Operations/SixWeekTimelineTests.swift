import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// Six weeks of Brightspark Electric with the injected clock: nightly ingest and `daily` every
/// morning, `run-all` every Monday. Four changes:
///
/// - CHG-0101 (new customers, 2 Nov): bookings 20% → 32% on 400 an arm; passes, kept on 9 Nov.
///   Watched after the keep, it degrades in week 4 (booking errors 15% from 23 Nov): its watch
///   throttles it on the 24th and rolls it back on the 25th, a reversal of the keep.
/// - CHG-0104 (returning customers, 2 Nov): booking errors 12% against 1%; its 48-hour check
///   breaches (throttled to 10%), its 72-hour check breaches again (rolled back).
/// - CHG-0102 (returning customers, 9 Nov): bookings 20% → 19% on 400 an arm; fails, rolled back.
/// - CHG-0103 (new customers, 16 Nov): 25% → 36% on 150 an arm; inconclusive, and kept on its
///   recommendation by `run-all --apply`.
@Suite struct SixWeekTimelineTests {
    struct Change {
        var id: String
        var name: String
        var flag: String
        var cohort: String
        var lift: String
        var start: String
        var perArmPerDay: Int
        var rates: (control: Double, treatment: Double)
        var errors: (control: Int, treatment: Int) = (1, 1)
    }

    static let changes = [
        Change(id: "CHG-0101", name: "book-now", flag: "book_now_button", cohort: "new_customer", lift: "0.5", start: "2026-11-02",
               perArmPerDay: 58, rates: (0.20, 0.32)),
        Change(id: "CHG-0104", name: "online-pay", flag: "online_pay", cohort: "returning", lift: "0.5", start: "2026-11-02",
               perArmPerDay: 40, rates: (0.20, 0.20), errors: (1, 12)),
        Change(id: "CHG-0102", name: "reminder", flag: "reminder_text", cohort: "returning", lift: "0.5", start: "2026-11-09",
               perArmPerDay: 58, rates: (0.20, 0.19)),
        Change(id: "CHG-0103", name: "follow-up", flag: "follow_up_call", cohort: "new_customer", lift: "0.05", start: "2026-11-16",
               perArmPerDay: 22, rates: (0.25, 0.36)),
    ]

    /// One day's events of a running change: customers who view a quote and book at its arm's
    /// rate (the same every day, so a week gives the rates exactly), clicks, and booking submits
    /// with the arm's errors in 100 (only 10 an arm on the first day: the 24-hour check waits).
    static func events(_ change: Change, day: LocalDay, firstDay: Bool) -> [String] {
        var rows: [String] = []
        for (arm, rate, errors) in [("off", change.rates.control, change.errors.control), ("on", change.rates.treatment, change.errors.treatment)] {
            let booked = Int((Double(change.perArmPerDay) * rate).rounded())
            for index in 0..<change.perArmPerDay {
                let user = "\(change.id)-\(arm)-\(day)-\(index)"
                let base = #""user_id":"\#(user)","user_cohort":"\#(change.cohort)","change_id":"\#(change.id)","version_flag":"\#(arm)""#
                rows.append(#"{"event":"quote_viewed","timestamp":"\#(day)T16:00:00Z",\#(base)}"#)
                if index < booked { rows.append(#"{"event":"appointment_booked","timestamp":"\#(day)T16:30:00Z",\#(base)}"#) }
                if arm == "on" && index < 5 { rows.append(#"{"event":"book_now_click","timestamp":"\#(day)T16:10:00Z",\#(base),"status":"success"}"#) }
            }
            let submits = firstDay ? 10 : 100
            for index in 0..<submits {
                let failed = firstDay ? false : index < errors
                rows.append(
                    #"{"event":"booking_submit","timestamp":"\#(day)T17:00:00Z","user_id":"\#(change.id)-s-\#(arm)-\#(day)-\#(index)","user_cohort":"\#(change.cohort)","change_id":"\#(change.id)","version_flag":"\#(arm)","status":"\#(failed ? "error:timeout" : "success")"}"#)
            }
        }
        return rows
    }

    /// One day's events of a kept change: everyone targeted gets it, so the treatment's alone,
    /// with `errors` booking errors in 100.
    static func keptEvents(_ change: Change, day: LocalDay, errors: Int) -> [String] {
        var kept = change
        kept.errors = (errors, errors)
        return events(kept, day: day, firstDay: false).filter { $0.contains(#""version_flag":"on""#) }
    }

    static func clock(_ day: LocalDay, _ time: String = "06:30:00") -> FixedClock {
        FixedClock(iso8601: "\(day)T\(time)-06:00")!
    }

    @Test func sixWeeksOfFourChanges() throws {
        let tests = StartTests()
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        let workspace = fixture.workspace
        let store = try workspace.openStore()
        let trail = try AuditTrail(workspace: workspace)
        var files: [String: URL] = [:]
        for change in Self.changes {
            files[change.id] = try tests.experiment(
                fixture, change.name, change: change.id, flag: change.flag, cohorts: #"{ "\#(change.cohort)" }"#, lift: change.lift)
        }
        func state(_ id: String) throws -> ExperimentStatus { try Lifecycle(workspace: workspace, clock: StartTests.now, actor: "x").status(of: id) }
        func flagsFile() throws -> [String: [String: Any]] {
            let data = try Data(contentsOf: workspace.root.appendingPathComponent("flags.json"))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            return object?["flags"] as? [String: [String: Any]] ?? [:]
        }
        var dailies: [String: DailySummary] = [:]
        var weeklies: [String: RunAllSummary] = [:]
        let first = LocalDay("2026-11-02")!, last = LocalDay("2026-12-13")!
        for number in first.number...last.number {
            let today = LocalDay(number: number)
            // Nightly ingest of yesterday's events, for each change that ran yesterday.
            let yesterday = LocalDay(number: number - 1)
            var rows: [String] = []
            for change in Self.changes {
                guard let status = try? state(change.id) else { continue }
                if status.state == .kept, let end = LocalDay(status.windowEnd), yesterday.number > end.number {
                    // Week 4 goes badly for the kept Book-now button.
                    let bad = change.id == "CHG-0101" && yesterday.number >= LocalDay("2026-11-23")!.number
                    rows += Self.keptEvents(change, day: yesterday, errors: bad ? 15 : change.errors.treatment)
                    continue
                }
                guard status.state.isLive,
                    let start = LocalDay(status.windowStart), let end = LocalDay(status.windowEnd),
                    start.number <= yesterday.number, yesterday.number <= end.number
                else { continue }
                rows += Self.events(change, day: yesterday, firstDay: yesterday.number == start.number)
            }
            if !rows.isEmpty { _ = try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "export-\(yesterday).jsonl") }
            // Starts at 07:00.
            for change in Self.changes where change.start == today.description {
                try Lifecycle(workspace: workspace, clock: Self.clock(today, "07:00:00"), actor: "dana").start(
                    files[change.id]!, acceptUnderpowered: true)
            }
            dailies[today.description] = try Daily(workspace: workspace, clock: Self.clock(today, "07:30:00"), actor: "cron").run(date: today)
            if Lifecycle.weekday(today) == "Mon" {
                weeklies[today.description] = try RunAll(workspace: workspace, clock: Self.clock(today, "08:00:00"), actor: "cron")
                    .run(date: today, apply: today.description == "2026-11-23")
            }
            // The owner decides on Mondays after run-all: CHG-0101 kept, CHG-0102 rolled back.
            if today.description == "2026-11-09" {
                try Lifecycle(workspace: workspace, clock: Self.clock(today, "09:00:00"), actor: "dana").decide("CHG-0101", .keep, note: "passed")
            }
            if today.description == "2026-11-16" {
                try Lifecycle(workspace: workspace, clock: Self.clock(today, "09:00:00"), actor: "dana").decide("CHG-0102", .rollback, note: "failed")
            }

            // Along the way.
            switch today.description {
            case "2026-11-03":
                let online = try #require(dailies["2026-11-03"]?.experiments.first { $0.changeID == "CHG-0104" })
                #expect(online.checks.map(\.status) == ["waiting", "scheduled", "scheduled"])
                #expect(try state("CHG-0104").state == .running)
            case "2026-11-04":
                let online = try #require(dailies["2026-11-04"]?.experiments.first { $0.changeID == "CHG-0104" })
                #expect(online.checks.map(\.status) == ["overtaken", "breach", "scheduled"])
                #expect(online.actions.count == 1 && online.actions[0].hasSuffix("throttled to 10% (first breach)"))
                #expect(try state("CHG-0104").state == .throttled && state("CHG-0104").flag?.share == 0.1)
                #expect(try flagsFile()["online_pay"]?["share"] as? Double == 0.1)
                let book = try #require(dailies["2026-11-04"]?.experiments.first { $0.changeID == "CHG-0101" })
                #expect(book.checks.map(\.status) == ["overtaken", "ok", "scheduled"] && book.actions.isEmpty)
            case "2026-11-05":
                let online = try #require(dailies["2026-11-05"]?.experiments.first { $0.changeID == "CHG-0104" })
                #expect(online.actions.count == 1 && online.actions[0].hasSuffix("rolled back: the flag is off (breach 2)"))
                #expect(try state("CHG-0104").state == .rolledBack && flagsFile()["online_pay"]?["state"] as? String == "off")
                #expect(dailies["2026-11-05"]?.text.contains("ACTION: 72h check: booking_submit error rate past its limit (+0.5 pp)") == true)
            case "2026-11-06":
                #expect(dailies["2026-11-06"]?.experiments.map(\.changeID) == ["CHG-0101"])
            case "2026-11-09":
                let monday = try #require(weeklies["2026-11-09"])
                #expect(monday.entries.map(\.changeID) == ["CHG-0101"])
                #expect(monday.entries.first.map { "\($0.verdict) \($0.recommendation)" } == "pass keep")
                #expect(try state("CHG-0101").state == .kept && flagsFile()["book_now_button"]?["share"] as? Double == 1)
            case "2026-11-16":
                let monday = try #require(weeklies["2026-11-16"])
                #expect(monday.entries.first.map { "\($0.changeID) \($0.verdict) \($0.recommendation)" } == "CHG-0102 fail rollback")
                #expect(try state("CHG-0102").state == .rolledBack)
            case "2026-11-23":
                let monday = try #require(weeklies["2026-11-23"])
                let entry = try #require(monday.entries.first)
                #expect("\(entry.changeID) \(entry.verdict) \(entry.recommendation) \(entry.decided ?? "-")" == "CHG-0103 inconclusive keep keep")
                #expect(try state("CHG-0103").state == .kept)
                #expect(try state("CHG-0101").state == .kept && dailies["2026-11-23"]?.watched.first?.checks.last?.status == "ok")
            case "2026-11-24":
                // The watch sees week 4's first bad day against the window's control: throttled.
                let watched = try #require(dailies["2026-11-24"]?.watched.first { $0.changeID == "CHG-0101" })
                #expect(watched.actions.count == 1 && watched.actions[0].hasSuffix("throttled to 10% (first breach since it was kept)"))
                #expect(try state("CHG-0101").state == .kept && state("CHG-0101").flag?.share == 0.1)
                #expect(try flagsFile()["book_now_button"]?["state"] as? String == "throttled")
            case "2026-11-25":
                let watched = try #require(dailies["2026-11-25"]?.watched.first { $0.changeID == "CHG-0101" })
                #expect(watched.actions.first?.hasSuffix("rolled back: the flag is off, a reversal of the keep (breach 2 since it was kept)") == true)
                #expect(try state("CHG-0101").state == .reversed && flagsFile()["book_now_button"]?["state"] as? String == "off")
                #expect(dailies["2026-11-25"]?.text.contains("ACTION: watch check of 2026-11-25: booking_submit error rate past its limit") == true)
            case "2026-12-13":
                #expect(dailies["2026-12-13"]?.experiments.isEmpty == true)
                let text = try #require(dailies["2026-12-13"]?.text)
                #expect(text.hasPrefix("Verdict daily for 2026-12-13:\n  no experiment is running; kept changes are watched.\n\n"))
                #expect(text.contains("CHG-0103 Book-now button on service pages: kept on 2026-11-23, watched through 2026-12-21 (kept)"))
                // The head the text keeps is the trail's, so a lost store's trail can be checked against it.
                let kept = try #require(AuditHead(fromTextHolding: text))
                #expect(try trail.verify(keptHead: kept).isIntact)
            default:
                break
            }
        }

        // The whole trail: every action of the six weeks, in order, by whom.
        let actions = try trail.records().filter { $0.action != "ingest" }.map { "\($0.changeID) \($0.actor) \($0.action)" }
        #expect(actions == [
            // 2 Nov: two starts (no history yet, so no forecast to override).
            "CHG-0101 dana start", "CHG-0104 dana start",
            // 4 and 5 Nov: the safety checks act.
            "CHG-0104 daily safety-breach", "CHG-0104 daily safety-breach",
            // 9 Nov: a start at 07:00, then run-all's verdict and the owner's decision.
            "CHG-0102 dana start", "CHG-0102 dana override-underpowered",
            "CHG-0101 cron verdict", "CHG-0101 dana decision",
            "CHG-0103 dana start", "CHG-0103 dana override-underpowered",
            "CHG-0102 cron verdict", "CHG-0102 dana decision",
            // 23 Nov: run-all records the verdict and carries out its recommendation.
            "CHG-0103 cron verdict", "CHG-0103 run-all decision",
            // 24 and 25 Nov: CHG-0101's watch throttles it, then rolls it back.
            "CHG-0101 daily safety-breach", "CHG-0101 daily safety-breach",
        ])
        #expect(try trail.verify(reproduce: true).isIntact)
        #expect(try store.safetyChecks().filter { $0.outcome == "breach" }.map(\.changeID) == ["CHG-0104", "CHG-0104", "CHG-0101", "CHG-0101"])
        // Every morning left its summary.
        #expect(try FileManager.default.contentsOfDirectory(atPath: workspace.root.appendingPathComponent("daily").path).count == 42)
    }
}
