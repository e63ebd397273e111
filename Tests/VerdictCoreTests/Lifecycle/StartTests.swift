import Foundation
import Testing
import VerdictScript
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// `start`: the refusals, the overrides on the audit trail, the seal stored, the flag and
/// flags.json, and two starts racing.
@Suite struct StartTests {
    static let now = FixedClock(iso8601: "2026-11-09T07:00:00-06:00")!

    /// A workspace with a month of history, and experiments made from the conversion template.
    func setUp() throws -> IngestFixture {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        var rows: [String] = []
        for index in 0..<600 {
            let day = 10 + index % 28
            let date = day <= 31 ? "2026-10-\(day)" : "2026-11-0\(day - 31)"
            rows.append(#"{"event":"quote_viewed","timestamp":"\#(date)T15:00:00Z","user_id":"u\#(index)","user_cohort":"new_customer"}"#)
            if index % 3 == 0 {
                rows.append(#"{"event":"appointment_booked","timestamp":"\#(date)T16:00:00Z","user_id":"u\#(index)","user_cohort":"new_customer"}"#)
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "history.jsonl")
        return fixture
    }

    @discardableResult
    func experiment(_ fixture: IngestFixture, _ name: String, change: String, flag: String, cohorts: String = #"{ "new_customer" }"#, lift: String = "0.05") throws -> URL {
        var text = try String(contentsOf: Repository.file("experiments/templates/conversion.lua"), encoding: .utf8)
        text = text.replacingOccurrences(of: "CHG-0001", with: change)
            .replacingOccurrences(of: "book_now_button", with: flag)
            .replacingOccurrences(of: #"{ "new_customer" }"#, with: cohorts)
            .replacingOccurrences(of: "lift_at_least(0.05)", with: "lift_at_least(\(lift))")
        return try fixture.folder.write(text, to: "experiments/\(name).lua")
    }

    func lifecycle(_ fixture: IngestFixture, actor: String = "dana") throws -> Lifecycle {
        try Lifecycle(workspace: fixture.workspace, clock: Self.now, actor: actor)
    }

    @Test func anUnderpoweredDesignIsRefusedUnlessAccepted() throws {
        let fixture = try setUp()
        let file = try experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button")
        #expect(throws: LifecycleError.self) { try lifecycle(fixture).start(file) }
        do {
            _ = try lifecycle(fixture).start(file)
        } catch let error as LifecycleError {
            #expect(error.description.contains("7 days cannot decide this rule"))
            #expect(error.description.contains("--accept-underpowered"))
        }
        #expect(try lifecycle(fixture).statuses().isEmpty)
        let (status, _) = try lifecycle(fixture).start(file, acceptUnderpowered: true)
        #expect(status.state == .started && status.windowStart == "2026-11-09" && status.windowEnd == "2026-11-15")
        let records = try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007")
        #expect(records.map(\.action) == ["start", "override-underpowered"])
        #expect(records[0].actor == "dana" && records[0].details.contains(status.seal))
        #expect(records[1].details.contains("days_for_rule") && records[1].details.contains("cannot decide"))
    }

    @Test func aStartDatedBackIsForecastFromTodaysHistory() throws {
        let fixture = try setUp()
        let file = try experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button")
        // Before the history begins: a forecast from then would know nothing, and let it through.
        let before = ISO8601DateFormatter().date(from: "2026-10-01T12:00:00Z")!
        #expect(throws: LifecycleError.self) { try lifecycle(fixture).start(file, at: before) }
        let (status, _) = try lifecycle(fixture).start(file, at: before, acceptUnderpowered: true)
        #expect(status.windowStart == "2026-10-01" && status.windowEnd == "2026-10-07" && status.startedAt == "2026-10-01T12:00:00Z")
        let start = try #require(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").first)
        #expect(start.at == "2026-11-09T13:00:00Z" && start.details.contains(#""started_at":"2026-10-01T12:00:00Z""#))
    }

    @Test func aDecidableDesignStartsWithoutOverride() throws {
        let fixture = try setUp()
        // A bold rule a month of history can decide in a week.
        let file = try experiment(fixture, "bold", change: "CHG-0009", flag: "bold_flag", lift: "2.5")
        let (status, forecast) = try lifecycle(fixture).start(file)
        #expect((forecast.kpis[0].daysForThreshold ?? 99) <= 7)
        #expect(status.flag?.share == 0.5 && status.flag?.state == .on)
        #expect(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0009").map(\.action) == ["start"])
    }

    @Test func overlapsAndReusedIDsAreRefused() throws {
        let fixture = try setUp()
        try lifecycle(fixture).start(try experiment(fixture, "a", change: "CHG-0001", flag: "flag_a"), acceptUnderpowered: true)
        // The same customers: refused, then forced and recorded.
        let b = try experiment(fixture, "b", change: "CHG-0002", flag: "flag_b")
        #expect(throws: LifecycleError.overlap(changeID: "CHG-0002", running: ["CHG-0001"])) {
            try lifecycle(fixture).start(b, acceptUnderpowered: true)
        }
        try lifecycle(fixture, actor: "owner").start(b, acceptUnderpowered: true, force: true)
        let forced = try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0002")
        #expect(forced.map(\.action) == ["start", "override-underpowered", "override-overlap"])
        #expect(forced[2].details == #"{"running":["CHG-0001"]}"# && forced[2].actor == "owner")
        // Everyone overlaps everyone; other cohorts do not overlap.
        let c = try experiment(fixture, "c", change: "CHG-0003", flag: "flag_c", cohorts: "{}")
        #expect(throws: LifecycleError.self) { try lifecycle(fixture).start(c, acceptUnderpowered: true) }
        try lifecycle(fixture).start(try experiment(fixture, "d", change: "CHG-0004", flag: "flag_d", cohorts: #"{ "returning" }"#), acceptUnderpowered: true)
        // A change_id used before, and a flag in use, are refused.
        #expect(throws: LifecycleError.changeIDUsed("CHG-0001", state: "started")) {
            try lifecycle(fixture).start(try experiment(fixture, "a2", change: "CHG-0001", flag: "flag_x"), acceptUnderpowered: true, force: true)
        }
        #expect(throws: LifecycleError.flagInUse(flag: "flag_a", by: "CHG-0001", state: "started")) {
            try lifecycle(fixture).start(try experiment(fixture, "e", change: "CHG-0005", flag: "flag_a"), acceptUnderpowered: true, force: true)
        }
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
    }

    @Test func twoStartsRacingOneWins() throws {
        let fixture = try setUp()
        let files = [
            try experiment(fixture, "x", change: "CHG-0011", flag: "flag_x"), try experiment(fixture, "y", change: "CHG-0012", flag: "flag_y"),
        ]
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                // Each its own connection, as two processes would have.
                _ = try Lifecycle(workspace: try Workspace(root: fixture.workspace.root), clock: Self.now, actor: "p\(index)")
                    .start(files[index], acceptUnderpowered: true)
                results.add(true)
            } catch {
                results.add(false)
            }
        }
        #expect(results.values.filter { $0 }.count == 1 && results.values.count == 2)
        #expect(try lifecycle(fixture).statuses().count == 1)
    }

    /// Bodies read and validated before a start, and written after it commits (the server reads
    /// each request before its group is written), are stamped with the change: which change an
    /// event belongs to is decided inside the write, as the store stands then.
    @Test func eventsReadBeforeAStartAndWrittenAfterItAreStamped() throws {
        let fixture = try setUp()
        let file = try experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button")
        let body = (0..<50).map { #"{"event":"quote_viewed","timestamp":"2026-11-10T15:00:00Z","user_id":"late\#($0)","user_cohort":"new_customer"}"# }
        let ingester = fixture.ingester
        let prepared = try ingester.prepare(
            Ingester.Submission(body: Data(body.joined(separator: "\n").utf8), source: "http:website", actor: "website"),
            context: try ingester.context()
        ).get()
        try lifecycle(fixture).start(file, acceptUnderpowered: true)
        let written = try ingester.write([prepared])
        #expect(try written[0].get().outcome.stored == 50)
        var days = LocalDayCalendar(timeZone: fixture.workspace.timeZone)
        let day = days.day(ofMilliseconds: 1_794_322_800_000)  // 2026-11-10 15:00 UTC
        #expect(try fixture.store.count(EventFilter(changeID: "CHG-0007", fromDay: day, toDay: day)) == 50)
        #expect(try fixture.store.count(EventFilter(changeID: "none", fromDay: day, toDay: day)) == 0)
    }

    @Test func theSealedCopyAndFlagsFile() throws {
        let fixture = try setUp()
        let file = try experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button")
        let (status, _) = try lifecycle(fixture).start(file, acceptUnderpowered: true)
        let (_, seal, _) = try ExperimentLoader(workspace: fixture.workspace).loadSealed(file)
        #expect(status.seal == seal.hash && status.scriptPath == "experiments/book-now.lua")
        // flags.json: whole, valid, and no temporary file left beside it.
        let data = try Data(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let flag = try #require((document["flags"] as? [String: Any])?["book_now_button"] as? [String: Any])
        #expect(flag["change_id"] as? String == "CHG-0007" && flag["seal"] as? String == seal.hash)
        #expect(flag["state"] as? String == "on" && flag["share"] as? Double == 0.5)
        #expect((flag["variants"] as? [String: String]) == ["control": "off", "treatment": "on"])
        #expect((flag["cohorts"] as? [String]) == ["new_customer"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.workspace.stateFolder.path).filter { $0.contains("tmp") }
        #expect(leftovers.isEmpty)
        // The flag assigns as docs/flags.md says, only within its cohorts.
        let stored = try #require(try lifecycle(fixture).flags().first)
        let day = LocalDay("2026-11-10")!
        #expect(stored.variant(for: "cust-1042", cohort: "new_customer", day: day) == "on")  // bucket 0.8196
        #expect(stored.variant(for: "cust-1042", cohort: "returning", day: day) == "off")
        #expect(stored.variant(for: "cust-1042", cohort: nil, day: day) == "off")
    }

    @Test func statusSaysWhatComesNext() throws {
        let fixture = try setUp()
        try lifecycle(fixture).start(try experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), acceptUnderpowered: true)
        func status(at time: String) throws -> ExperimentStatus {
            try Lifecycle(workspace: fixture.workspace, clock: FixedClock(iso8601: time)!, actor: "").statuses()[0]
        }
        let first = try status(at: "2026-11-09T08:00:00-06:00")
        #expect(first.day == 1 && first.next == "safety check at 2026-11-10T07:00:00-06:00")
        #expect(first.today == "today (Mon 2026-11-09): Book-now button on service pages ON for 50% of new_customer")
        let fourth = try status(at: "2026-11-12T09:00:00-06:00")
        #expect(fourth.day == 4 && fourth.next == "the window ends 2026-11-15 (day 7 of 7)")
        let after = try status(at: "2026-11-17T09:00:00-06:00")
        #expect(after.day == 7 && after.next == "the window has ended: the verdict, then your decision")
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Bool] = []
    func add(_ value: Bool) { lock.withLock { stored.append(value) } }
    var values: [Bool] { lock.withLock { stored } }
}

/// Flags changed by hand: each change recorded, the experiment's state following, flags.json rewritten.
@Suite struct ManualFlagTests {
    @Test func throttleOnAndOff() throws {
        let tests = StartTests()
        let fixture = try tests.setUp()
        try tests.lifecycle(fixture).start(try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), acceptUnderpowered: true)
        let lifecycle = try tests.lifecycle(fixture, actor: "owner")
        #expect(try lifecycle.setFlag("CHG-0007", .throttle(0.1)).state == .throttled)
        #expect(try lifecycle.statuses()[0].state == .throttled)
        #expect(throws: LifecycleError.self) { try lifecycle.setFlag("CHG-0007", .throttle(0.6)) }  // above the split
        let back = try lifecycle.setFlag("CHG-0007", .on)
        #expect(back.state == .on && back.share == 0.5)
        let off = try lifecycle.setFlag("CHG-0007", .off)
        #expect(off.state == .off && off.share == 0)
        #expect(try lifecycle.statuses()[0].state == .rolledBack)
        // Rolled back: the flag no longer changes by hand; nor does a change never started.
        #expect(throws: LifecycleError.self) { try lifecycle.setFlag("CHG-0007", .on) }
        #expect(throws: LifecycleError.notStarted("CHG-0999")) { try lifecycle.setFlag("CHG-0999", .on) }
        // Every change on the trail and in the flag's history; flags.json follows.
        let records = try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").filter { $0.action == "flag" }
        #expect(records.count == 3 && records.allSatisfy { $0.actor == "owner" })
        #expect(records[0].details == #"{"flag":"book_now_button","from":{"share":0.5,"state":"on"},"reason":"manual","to":{"share":0.1,"state":"throttled"}}"#)
        let store = try fixture.workspace.openStore()
        #expect(try store.flagChanges("book_now_button").map(\.state) == ["on", "throttled", "on", "off"])
        let file = try String(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"), encoding: .utf8)
        #expect(file.contains(#""state": "off""#))
        // Throttling keeps a subset of the same customers in the treatment.
        let flag = try #require(try lifecycle.flags().first)
        #expect(flag.variant(for: "cust-1042", cohort: "new_customer", day: LocalDay("2026-11-10")!) == "off")
    }
}

/// The sealed copy is the contract: later evaluations use it, and say when files changed.
@Suite struct SealedCopyTests {
    @Test func evaluationsUseTheSealedCopyAndNameChangedFiles() throws {
        let tests = StartTests()
        let fixture = try tests.setUp()
        try fixture.folder.write("local M = {}\nfunction M.rule() return lift_at_least ~= nil end\nreturn M\n", to: "plugins/helper.lua")
        var text = try String(contentsOf: Repository.file("experiments/templates/conversion.lua"), encoding: .utf8)
        text = "local helper = require \"helper\"\n" + text
        let file = try fixture.folder.write(text, to: "experiments/book-now.lua")
        try tests.lifecycle(fixture).start(file, acceptUnderpowered: true)
        let lifecycle = try tests.lifecycle(fixture)
        let unchanged = try #require(try lifecycle.sealedExperiment(scriptPath: "experiments/book-now.lua"))
        #expect(unchanged.changedFiles.isEmpty)
        #expect(unchanged.from == LocalDay("2026-11-09")! && unchanged.to == LocalDay("2026-11-15")!)
        // Change the rule on disk and the plugin: the sealed rule stays, and both files are named.
        try text.replacingOccurrences(of: "lift_at_least(0.05)", with: "lift_at_least(0.5)").write(to: file, atomically: true, encoding: .utf8)
        try fixture.folder.write("return {}\n", to: "plugins/helper.lua")
        let changed = try #require(try lifecycle.sealedExperiment(changeID: "CHG-0001"))
        #expect(changed.changedFiles == ["experiments/book-now.lua", "plugins/helper.lua"])
        #expect(changed.declaration.primary.rule == .liftAtLeast(0.05))
        try FileManager.default.removeItem(at: file)
        #expect(try lifecycle.sealedExperiment(changeID: "CHG-0001")?.changedFiles.first == "experiments/book-now.lua (gone)")
        #expect(try lifecycle.sealedExperiment(scriptPath: "experiments/never.lua") == nil)
    }
}

/// The owner's decisions: what each does, and what does not fit.
@Suite struct DecisionTests {
    func started(throttled: Bool = false) throws -> (IngestFixture, StartTests) {
        let tests = StartTests()
        let fixture = try tests.setUp()
        let wentLive = ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), at: wentLive, acceptUnderpowered: true)
        if throttled { try tests.lifecycle(fixture).setFlag("CHG-0007", .throttle(0.1)) }
        return (fixture, tests)
    }

    @Test func keepRollbackExtendScale() throws {
        var (fixture, tests) = try started()
        // The window (2–8 Nov) has ended by the 9th.
        let kept = try tests.lifecycle(fixture).decide("CHG-0007", .keep, note: "bookings up").status
        #expect(kept.state == .kept && kept.flag?.state == .kept && kept.flag?.share == 1)
        #expect(kept.flag?.variant(for: "anyone", cohort: "new_customer", day: LocalDay("2026-11-10")!) == "on")
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").last)
        #expect(record.action == "decision" && record.details.contains(#""decision":"keep""#) && record.details.contains(#""note":"bookings up""#))
        #expect(throws: LifecycleError.self) { try tests.lifecycle(fixture).decide("CHG-0007", .rollback) }  // decided already

        (fixture, tests) = try started()
        let rolledBack = try tests.lifecycle(fixture).decide("CHG-0007", .rollback).status
        #expect(rolledBack.state == .rolledBack && rolledBack.flag?.state == .off)
        // Its flag stays its own: a new change needs another.
        #expect(throws: LifecycleError.flagInUse(flag: "book_now_button", by: "CHG-0007", state: "rolled_back")) {
            try tests.lifecycle(fixture).start(try tests.experiment(fixture, "again", change: "CHG-0008", flag: "book_now_button"), acceptUnderpowered: true)
        }

        (fixture, tests) = try started()
        let extended = try tests.lifecycle(fixture).decide("CHG-0007", .extend).status
        #expect(extended.state == .extended && extended.windowEnd == "2026-11-15" && extended.windowDays == 14)
        // The sealed copy is evaluated over the whole span now.
        let sealed = try #require(try tests.lifecycle(fixture).sealedExperiment(changeID: "CHG-0007"))
        #expect(sealed.from == LocalDay("2026-11-02")! && sealed.to == LocalDay("2026-11-15")!)
        // Inside the extended window, keeping needs --early and a note.
        #expect(throws: LifecycleError.self) { try tests.lifecycle(fixture).decide("CHG-0007", .keep) }
        #expect(throws: LifecycleError.self) { try tests.lifecycle(fixture).decide("CHG-0007", .keep, early: true) }
        let early = try tests.lifecycle(fixture).decide("CHG-0007", .keep, note: "clear enough", early: true).status
        #expect(early.state == .kept)
        #expect(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").last?.details.contains(#""early":true"#) == true)

        (fixture, tests) = try started(throttled: true)
        #expect(try tests.lifecycle(fixture).statuses()[0].state == .throttled)
        // Scaling back up is for a throttle inside the window.
        #expect(throws: LifecycleError.self) { try tests.lifecycle(fixture).decide("CHG-0007", .scale) }
        let inWindow = try Lifecycle(workspace: fixture.workspace, clock: TransitionTests.inWindow, actor: "dana")
        let scaled = try inWindow.decide("CHG-0007", .scale).status
        #expect(scaled.state == .scaled && scaled.flag?.state == .on && scaled.flag?.share == 0.5)
        #expect(throws: LifecycleError.self) { try inWindow.decide("CHG-0007", .scale) }  // not throttled now
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
    }
}

/// Events that name no change_id are stamped with the change live for their cohort at their time.
@Suite struct AttributionTests {
    @Test func eventsWithoutChangeIDFollowTheTimeline() throws {
        let tests = StartTests()
        let fixture = try tests.setUp()
        let wentLive = ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), at: wentLive, acceptUnderpowered: true)
        func line(_ time: String, cohort: String?, change: String? = nil, id: String) -> String {
            var fields = [#""event":"appointment_booked""#, #""timestamp":"\#(time)""#, #""user_id":"\#(id)""#]
            if let cohort { fields.append(#""user_cohort":"\#(cohort)""#) }
            if let change { fields.append(#""change_id":"\#(change)""#) }
            return "{" + fields.joined(separator: ",") + "}"
        }
        // A late export: it arrives on the 9th, and its events are stamped by their own times.
        let rows = [
            line("2026-11-03T10:00:00-06:00", cohort: "new_customer", id: "in-window"),
            line("2026-11-03T10:00:00-06:00", cohort: "returning", id: "other-cohort"),
            line("2026-11-03T10:00:00-06:00", cohort: nil, id: "no-cohort"),
            line("2026-11-02T06:00:00-06:00", cohort: "new_customer", id: "before-start"),
            line("2026-11-09T10:00:00-06:00", cohort: "new_customer", id: "after-window"),
            line("2026-11-03T11:00:00-06:00", cohort: "new_customer", change: "CHG-0003", id: "named"),
        ]
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "late.jsonl")
        let events = try EventLog(workspace: fixture.workspace).events(EventQuery(event: "appointment_booked", from: LocalDay("2026-11-02")!), limit: 1000)
        let byID = Dictionary(uniqueKeysWithValues: events.compactMap { record in record.userID.map { ($0, record) } })
        #expect(byID["in-window"]?.changeID == "CHG-0007" && byID["in-window"]?.changeSource == "timeline")
        for id in ["other-cohort", "no-cohort", "before-start", "after-window"] {
            #expect(byID[id]?.changeID == "none" && byID[id]?.changeSource == "none", "\(id)")
        }
        #expect(byID["named"]?.changeID == "CHG-0003" && byID["named"]?.changeSource == "event")
        // After a rollback, the change is no longer live.
        let off = try tests.lifecycle(fixture).setFlag("CHG-0007", .off)
        #expect(off.state == .off)
        try fixture.ingest(line("2026-11-10T10:00:00-06:00", cohort: "new_customer", id: "after-rollback") + "\n", as: "later.jsonl")
        let later = try EventLog(workspace: fixture.workspace).events(EventQuery(event: "appointment_booked", from: LocalDay("2026-11-10")!), limit: 5)
        #expect(later.first?.changeID == "none")
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
    }
}

/// Events stored before a start that covers them are stamped by the start, as a later ingest
/// would stamp them: digests still hold, and an overlapping export still stores nothing twice.
@Suite struct StampingAtStartTests {
    @Test func aStartDatedBackStampsStoredEvents() throws {
        let tests = StartTests()
        let fixture = try tests.setUp()
        let export = (3...6).map { #"{"event":"job_completed","timestamp":"2026-11-0\#($0)T10:00:00-06:00","user_cohort":"new_customer","value":\#($0)00}"# }
        try fixture.ingest(export.joined(separator: "\n") + "\n", as: "jobs-1.jsonl")
        let wentLive = ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), at: wentLive, acceptUnderpowered: true)
        let jobs = try EventLog(workspace: fixture.workspace).events(EventQuery(event: "job_completed"), limit: 10)
        #expect(jobs.count == 4 && jobs.allSatisfy { $0.changeID == "CHG-0007" && $0.changeSource == "timeline" })
        let start = try #require(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").first)
        #expect(start.details.contains(#""stamped":"#))
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
        // The same rows in the next "last 7 days" export are identical to the stored ones.
        let again = try fixture.ingest((export + [#"{"event":"job_completed","timestamp":"2026-11-07T10:00:00-06:00","user_cohort":"new_customer"}"#]).joined(separator: "\n") + "\n", as: "jobs-2.jsonl")
        #expect(again.outcome.stored == 1 && again.outcome.identical == 4)
    }
}
