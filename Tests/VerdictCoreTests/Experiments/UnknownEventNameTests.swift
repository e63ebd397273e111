import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// A KPI that reads an event name the store has never seen is named as such, by `check` and in
/// the verdict, instead of being judged on its zeros.
@Suite struct UnknownEventNameTests {
    func setUp(typo: Bool) throws -> (IngestFixture, Evaluator) {
        let fixture = try IngestFixture(timeZone: "UTC")
        var text = try String(contentsOf: Repository.file("experiments/templates/conversion.lua"), encoding: .utf8)
        if typo { text = text.replacingOccurrences(of: #"to = "appointment_booked""#, with: #"to = "appointment_noshow""#) }
        let (declaration, sandbox) = try ExperimentLoader(workspace: fixture.workspace).loadKeepingSandbox(
            try fixture.folder.write(text, to: "experiments/e.lua"))
        var rows: [String] = []
        for index in 0..<60 {
            let flag = index % 2 == 0 ? "on" : "off"
            for event in ["quote_viewed", "appointment_booked", "booking_submit", "book_now_click"] where event != "appointment_booked" || index % 3 == 0 {
                rows.append(#"{"event":"\#(event)","timestamp":"2026-11-0\#(2 + index % 7)T12:00:00Z","change_id":"CHG-0001","version_flag":"\#(flag)","user_id":"u\#(index)","user_cohort":"new_customer","status":"success"}"#)
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "web.jsonl")
        return (fixture, Evaluator(store: fixture.store, declaration: declaration, settings: fixture.workspace.settings, sandbox: sandbox))
    }

    @Test func aTypoInThePrimaryMakesTheVerdictSaySo() throws {
        let (fixture, evaluator) = try setUp(typo: true)
        let report = try evaluator.report(from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)
        #expect(report.unknownEvents.map(\.event) == ["appointment_noshow"])
        #expect(report.unknownEvents.first?.closest.first == "appointment_booked")
        #expect(report.verdict.outcome == .inconclusive)
        #expect(report.verdict.reason.hasPrefix(#"primary quote_viewed → appointment_noshow: there are no events named "appointment_noshow""#))
        #expect(!report.verdict.reason.contains("straddles") && !report.verdict.reason.contains("sample"))
        withExtendedLifetime(fixture) {}
    }

    @Test func namesThatAreStoredGiveNoFinding() throws {
        let (fixture, evaluator) = try setUp(typo: false)
        let report = try evaluator.report(from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)
        #expect(report.unknownEvents.isEmpty)
        #expect(!report.verdict.reason.contains("no events named"))
        withExtendedLifetime(fixture) {}
    }

    @Test func findNamesTheRoleAndTheClosestStoredNames() throws {
        let (fixture, _) = try setUp(typo: false)
        let text = try String(contentsOf: Repository.file("experiments/templates/conversion.lua"), encoding: .utf8)
            .replacingOccurrences(of: #"event = "booking_submit""#, with: #"event = "bookng_submit""#)
        let declaration = try ExperimentLoader(workspace: fixture.workspace).load(try fixture.folder.write(text, to: "experiments/g.lua"))
        let found = UnknownEventName.find(in: declaration, stored: try fixture.store.eventNames())
        #expect(found.count == 1)
        #expect(found.first?.role == "guardrail" && found.first?.event == "bookng_submit")
        #expect(found.first?.closest.first == "booking_submit")
        // With nothing stored, nothing can be told.
        #expect(UnknownEventName.find(in: declaration, stored: []).isEmpty)
        // In a report, the guardrail is not judged on its zeros: it cannot hold, and says why.
        let report = try Evaluator(store: fixture.store, declaration: declaration, settings: fixture.workspace.settings)
            .report(from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)
        #expect(report.verdict.ruleHolds["bookng_submit error rate"] == .some(nil))
        #expect(report.verdict.outcome != .pass)
        #expect(report.verdict.reason.contains(#"guardrail bookng_submit error rate: there are no events named "bookng_submit""#))
    }
}
