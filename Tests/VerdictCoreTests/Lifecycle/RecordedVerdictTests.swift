import Crypto
import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// A verdict on the record: its figures are the report's, its digest covers the events it used,
/// a verdict is never stored against events it did not see, and an extended change is judged on
/// the whole span.
@Suite struct RecordedVerdictTests {
    func started() throws -> (IngestFixture, StartTests) {
        let tests = StartTests()
        let fixture = try tests.setUp()
        // Two arms for the window: the history's events name no flag, so these do.
        var rows: [String] = []
        for index in 0..<40 {
            let arm = index % 2 == 0 ? "on" : "off"
            let day = 2 + index % 7
            rows.append(
                #"{"event":"quote_viewed","timestamp":"2026-11-0\#(day)T18:00:00Z","user_id":"w\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"\#(arm)"}"#)
            if index % 4 < 2 {
                rows.append(
                    #"{"event":"appointment_booked","timestamp":"2026-11-0\#(day)T19:00:00Z","user_id":"w\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"\#(arm)"}"#)
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "window.jsonl")
        let wentLive = ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), at: wentLive, acceptUnderpowered: true)
        return (fixture, tests)
    }

    @Test func theRecordHoldsTheReportsFiguresTheSealAndTheDataDigest() throws {
        let (fixture, tests) = try started()
        let lifecycle = try tests.lifecycle(fixture)
        let (evaluated, verdict, _) = try lifecycle.evaluate("CHG-0007")
        #expect(verdict.window.from == "2026-11-02" && verdict.window.to == "2026-11-08")
        #expect(verdict.seal == (try lifecycle.status(of: "CHG-0007")).seal)
        #expect(verdict.outcome == evaluated.report.verdict.outcome.rawValue)
        #expect(verdict.recommendation == evaluated.report.recommendation.action.rawValue)
        // Every stored event of the change in the window: the 100 above and the history it stamped.
        let counted = try EventLog(workspace: fixture.workspace).counts(
            EventQuery(change: "CHG-0007", from: LocalDay("2026-11-02"), to: LocalDay("2026-11-08")), by: [])
        #expect(verdict.events == counted.first?.count && verdict.events > 60)
        #expect(verdict.digest.count == 64 && verdict.digest != RowSHA256().finish())

        // One truth: the record's figures are the report's over the same window, from the seal.
        let report = try #require(try ReportRun.evaluate(
            [(URL(fileURLWithPath: "experiments/book-now.lua"), .success(evaluated.declaration))], sandbox: nil,
            workspace: fixture.workspace, from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!, daily: false)[0].get())
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").last)
        #expect(record.action == "verdict")
        #expect(record.details.contains(AuditTrail.canonicalJSON(ReportDocument(report))))
        #expect(record.details.contains(#""digest":"\#(verdict.digest)""#) && record.details.contains(#""seal":"\#(verdict.seal)""#))

        let status = try lifecycle.status(of: "CHG-0007")
        #expect(status.state == .evaluated && status.verdict == verdict.outcome && status.next.contains("awaiting your decision"))
        #expect(try lifecycle.verdicts(changeID: "CHG-0007").map(\.digest) == [verdict.digest])
    }

    /// Once recorded, the verdict stands on every surface with its date; late events change
    /// what today's data would give, said beside it, never in its place.
    @Test func theRecordedVerdictStandsAndTodaysDataIsSaidBesideIt() throws {
        let (fixture, tests) = try started()
        let lifecycle = try tests.lifecycle(fixture)
        let (evaluated, verdict, _) = try lifecycle.evaluate("CHG-0007")
        let fresh = try lifecycle.onRecord(ReportDocument(evaluated))
        #expect(fresh.verdict.outcome == verdict.outcome && fresh.verdict.recordedAt == verdict.at && fresh.verdictFromToday == nil)
        // A late import: sixty more bookings in the treatment arm of the window.
        var rows: [String] = []
        for index in 0..<60 {
            rows.append(#"{"event":"quote_viewed","timestamp":"2026-11-05T18:00:00Z","user_id":"late\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on"}"#)
            rows.append(#"{"event":"appointment_booked","timestamp":"2026-11-05T19:00:00Z","user_id":"late\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on"}"#)
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "late.jsonl")
        let sealed = try #require(try lifecycle.sealedExperiment(changeID: "CHG-0007"))
        let today = try ReportRun.evaluate(
            [(URL(fileURLWithPath: "experiments/book-now.lua"), .success(sealed.declaration))], sandbox: nil,
            workspace: fixture.workspace, from: sealed.from, to: sealed.to, daily: false)[0].get()
        let shown = try lifecycle.onRecord(ReportDocument(today))
        #expect(shown.verdict.outcome == verdict.outcome && shown.verdict.recordedAt == verdict.at)
        #expect(shown.recommendation.action == verdict.recommendation)
        let now = try #require(shown.verdictFromToday)
        #expect(now.reason == today.report.verdict.reason && now.recordedAt == nil)
        // Another window than the record's: today's figures, not on record.
        let other = try ReportRun.evaluate(
            [(URL(fileURLWithPath: "experiments/book-now.lua"), .success(sealed.declaration))], sandbox: nil,
            workspace: fixture.workspace, from: LocalDay("2026-11-03")!, to: LocalDay("2026-11-08")!, daily: false)[0].get()
        let unrecorded = try lifecycle.onRecord(ReportDocument(other))
        #expect(unrecorded.verdict.recordedAt == nil && unrecorded.verdictFromToday == nil)
        let json = String(decoding: try JSONEncoder().encode(shown), as: UTF8.self)
        #expect(json.contains(#""recorded_at":"\#(verdict.at)""#) && json.contains(#""verdict_from_today":{"#))
    }

    @Test func theDigestFollowsTheStoredEvents() throws {
        let (fixture, tests) = try started()
        let store = try fixture.workspace.openStore()
        let window = LocalDay("2026-11-02")!.number...LocalDay("2026-11-08")!.number
        let before = try store.windowDigest("CHG-0007", days: window, into: RowSHA256())
        // Another change's events and events outside the window do not count.
        try fixture.ingest(
            #"{"event":"quote_viewed","timestamp":"2026-11-04T18:00:00Z","user_id":"x","change_id":"CHG-0099"}"# + "\n"
                + #"{"event":"quote_viewed","timestamp":"2026-11-20T18:00:00Z","user_id":"y","change_id":"CHG-0007"}"# + "\n", as: "other.jsonl")
        #expect(try store.windowDigest("CHG-0007", days: window, into: RowSHA256()) == before)
        // Removing the window's batch changes it.
        let batch = try #require(try EventLog(workspace: fixture.workspace).batches().first { $0.source.hasSuffix("window.jsonl") })
        try EventLog(workspace: fixture.workspace).removeBatch(batch.id, at: 0, actor: "dana")
        #expect(try store.windowDigest("CHG-0007", days: window, into: RowSHA256()).digest != before.digest)
        _ = tests
    }

    @Test func aVerdictIsNotStoredAgainstEventsItDidNotSee() throws {
        let (fixture, _) = try started()
        let store = try fixture.workspace.openStore()
        let row = try #require(try store.experiments().first)
        // Evaluated from the events as they were; then a late export arrives before it is recorded.
        let seen = try store.eventsVersion()
        try fixture.ingest(#"{"event":"quote_viewed","timestamp":"2026-11-05T18:00:00Z","user_id":"late","change_id":"CHG-0007","version_flag":"on"}"# + "\n", as: "late.jsonl")
        let verdict = VerdictRow(
            changeID: "CHG-0007", at: 0, actor: "dana", startDay: row.startDay, endDay: row.endDay, seal: row.seal, outcome: "pass",
            recommendation: nil, events: 1, digest: String(repeating: "0", count: 64), document: "{}")
        #expect(throws: StoreError.self) {
            try store.recordVerdict(
                verdict, eventsVersion: seen, state: "evaluated", check: { _ in },
                audit: { _ in AuditTrail.maker(at: 0, changeID: "CHG-0007", actor: "dana", action: "verdict", details: ["x": 1]) })
        }
        #expect(try store.verdicts().isEmpty && store.experiments().first?.state == "started")
        #expect(try AuditTrail(workspace: fixture.workspace).records().last?.action != "verdict")
        // With the events as they are now, it is recorded.
        try store.recordVerdict(
            verdict, eventsVersion: try store.eventsVersion(), state: "evaluated", check: { _ in },
            audit: { _ in AuditTrail.maker(at: 0, changeID: "CHG-0007", actor: "dana", action: "verdict", details: ["x": 1]) })
        #expect(try store.verdicts().count == 1)
    }

    @Test func anExtendedChangeIsJudgedOnBothWeeks() throws {
        let (fixture, tests) = try started()
        let first = try tests.lifecycle(fixture).decide("CHG-0007", .extend)
        #expect(first.verdict?.window.to == "2026-11-08" && first.status.windowEnd == "2026-11-15")
        // The second week's events arrive.
        var rows: [String] = []
        for index in 0..<20 {
            let arm = index % 2 == 0 ? "on" : "off"
            rows.append(
                #"{"event":"quote_viewed","timestamp":"2026-11-1\#(index % 5)T18:00:00Z","user_id":"v\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"\#(arm)"}"#)
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "week2.jsonl")
        let later = try Lifecycle(workspace: fixture.workspace, clock: FixedClock(iso8601: "2026-11-16T07:00:00-06:00")!, actor: "dana")
        let (evaluated, second, _) = try later.evaluate("CHG-0007")
        #expect(second.window.from == "2026-11-02" && second.window.to == "2026-11-15")
        #expect(second.events == first.verdict!.events + 20)
        #expect(evaluated.report.from == LocalDay("2026-11-02")! && evaluated.report.to == LocalDay("2026-11-15")!)
        #expect(try later.verdicts(changeID: "CHG-0007").count == 2)
        #expect(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").map(\.action)
            == ["start", "override-underpowered", "verdict", "decision", "verdict"])
    }

    @Test func creatingAnExperimentIsRecorded() throws {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        let templates = ExperimentTemplates(folder: Repository.file("experiments/templates"))
        let (file, changeID) = try templates.create(
            "reminder", from: "conversion", in: fixture.workspace, today: LocalDay("2026-11-09")!, changeID: "CHG-0042",
            recordedBy: ("dana", StartTests.now))
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records(changeID: changeID).first)
        let text = try Data(contentsOf: file)
        #expect(record.action == "create" && record.actor == "dana" && record.at == "2026-11-09T13:00:00Z")
        #expect(record.details == #"{"script":"experiments/reminder.lua","sha256":"\#(lowercaseHex(SHA256.hash(data: text)))","template":"conversion"}"#)
    }
}

/// `audit verify --reproduce`: every recorded verdict is evaluated again and must give its figures.
@Suite struct ReproduceTests {
    @Test func recordedVerdictsComeOutTheSameUntilTheirDataOrSettingsChange() throws {
        let (fixture, tests) = try RecordedVerdictTests().started()
        try tests.lifecycle(fixture).evaluate("CHG-0007")
        let trail = try AuditTrail(workspace: fixture.workspace)
        let clean = try trail.verify(reproduce: true)
        #expect(clean.isIntact && clean.verdictsReproduced == 1)
        #expect(try trail.verify().verdictsReproduced == 0)

        // The same events, another workspace alpha: the figures differ, and it says why.
        let settings = fixture.workspace.root.appendingPathComponent("verdict.lua")
        let original = try String(contentsOf: settings, encoding: .utf8)
        try original.replacingOccurrences(of: "alpha       = 0.05", with: "alpha       = 0.1").write(to: settings, atomically: true, encoding: .utf8)
        let otherSettings = try AuditTrail(workspace: try Workspace(root: fixture.workspace.root, library: fixture.workspace.library)).verify(reproduce: true)
        let finding = try #require(otherSettings.findings.first)
        let lastSeq = try trail.records().last?.seq
        #expect(finding.kind == .verdictNotReproduced && finding.seq == lastSeq)
        #expect(finding.message.contains("CHG-0007's verdict for 2026-11-02 .. 2026-11-08 does not come out the same: report.kpis[0]"))
        #expect(finding.message.hasSuffix("from the same events (their digest is unchanged): the workspace's settings or Verdict's computation changed"))
        try original.write(to: settings, atomically: true, encoding: .utf8)

        // Events of its window removed afterwards: the batch removal is on the record, but the verdict no longer reproduces.
        let batch = try #require(try EventLog(workspace: fixture.workspace).batches().first { $0.source.hasSuffix("window.jsonl") })
        _ = try EventLog(workspace: fixture.workspace).removeBatch(batch.id, at: 0, actor: "dana")
        let changed = try AuditTrail(workspace: fixture.workspace).verify(reproduce: true)
        #expect(changed.findings.map(\.kind) == [.verdictNotReproduced])
        #expect(changed.findings.first?.message.hasSuffix("because the events it used changed since (their digest differs)") == true)
    }
}
