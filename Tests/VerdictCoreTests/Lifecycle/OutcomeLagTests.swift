import Foundation
import Testing
import VerdictScript
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// `outcome_lag = days(N)`: a KPI follows the window's customers N more days, and the verdict
/// waits for it.
@Suite struct OutcomeLagTests {
    /// The conversion template with a 3-day outcome lag on the primary, started on 2 November
    /// (window 2–8 Nov, outcomes through the 11th).
    func started() throws -> (IngestFixture, StartTests) {
        let tests = StartTests()
        let fixture = try tests.setUp()
        let wentLive = ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button", lift: "0.05), outcome_lag = days(3"),
            at: wentLive, acceptUnderpowered: true)
        func event(_ name: String, _ day: String, _ user: String, _ arm: String) -> String {
            #"{"event":"\#(name)","timestamp":"2026-11-\#(day)T18:00:00Z","user_id":"\#(user)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"\#(arm)"}"#
        }
        var rows: [String] = []
        for (index, arm) in ["on", "off", "on", "off"].enumerated() {
            rows.append(event("quote_viewed", "07", "w\(index)", arm))
        }
        rows.append(event("appointment_booked", "07", "w0", "on"))  // inside the window
        rows.append(event("appointment_booked", "10", "w1", "off"))  // in the lag: counts
        rows.append(event("appointment_booked", "10", "w2", "on"))  // in the lag: counts
        rows.append(event("appointment_booked", "13", "w3", "off"))  // after the lag: does not
        rows.append(event("quote_viewed", "09", "late", "on"))  // first seen after the window: not followed
        rows.append(event("appointment_booked", "09", "late", "on"))
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "window.jsonl")
        return (fixture, tests)
    }

    func lifecycle(_ fixture: IngestFixture, _ when: String) throws -> Lifecycle {
        try Lifecycle(workspace: fixture.workspace, clock: FixedClock(iso8601: when)!, actor: "dana")
    }

    @Test func theKPIFollowsTheWindowsCustomersThroughTheLag() throws {
        let (fixture, tests) = try started()
        let sealed = try #require(try tests.lifecycle(fixture).sealedExperiment(changeID: "CHG-0007"))
        #expect(sealed.declaration.primary.outcomeLagDays == 3 && sealed.declaration.outcomeLagDays == 3)
        let report = try ReportRun.evaluate(
            sealed.declaration, store: fixture.store, settings: fixture.workspace.settings, sandbox: nil, from: sealed.from, to: sealed.to,
            daily: false
        ).report
        #expect(report.outcomesThrough == LocalDay("2026-11-11")!)
        let primary = report.kpis[0]
        // Two customers an arm seen in the window (the late one is not followed); bookings through the 11th.
        #expect(primary.treatment.n == 2 && primary.control.n == 2)
        #expect(primary.treatment.value == 1 && primary.control.value == 0.5)
    }

    @Test func theVerdictWaitsForTheLag() throws {
        let (fixture, _) = try started()
        // The 10th: the window has ended, the outcomes have not.
        let during = try lifecycle(fixture, "2026-11-10T07:00:00-06:00")
        #expect(try during.status(of: "CHG-0007").next == "outcomes keep arriving until 2026-11-11 (outcome_lag): the verdict comes after")
        #expect(throws: LifecycleError.verdictNotDue("CHG-0007", until: "2026-11-11", outcomeLag: true)) {
            try during.evaluate("CHG-0007")
        }
        do {
            try during.decide("CHG-0007", .keep)
            Issue.record("a decision during the lag needs --early")
        } catch let error as LifecycleError {
            #expect(error.description.contains("its outcomes keep arriving until 2026-11-11"))
        }
        // The 12th: the verdict, over the events through the 11th.
        let after = try lifecycle(fixture, "2026-11-12T07:00:00-06:00")
        let (_, verdict, _) = try after.evaluate("CHG-0007")
        #expect(verdict.window.to == "2026-11-08" && verdict.outcomesThrough == "2026-11-11")
        let store = try fixture.workspace.openStore()
        let digest = try store.windowDigest("CHG-0007", days: LocalDay("2026-11-02")!.number...LocalDay("2026-11-11")!.number, into: RowSHA256())
        #expect(verdict.digest == digest.digest && verdict.events == digest.events)
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records(changeID: "CHG-0007").last)
        #expect(record.action == "verdict" && record.details.contains(#""outcomes_through":"2026-11-11""#))
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
    }

    @Test func aLagIsADurationForAnABDesign() throws {
        let tests = StartTests()
        let fixture = try tests.setUp()
        let loader = ExperimentLoader(workspace: fixture.workspace)
        let bad = try tests.experiment(fixture, "bad", change: "CHG-0008", flag: "f", lift: "0.05), outcome_lag = (3")
        do {
            _ = try loader.load(bad)
            Issue.record("a lag that is not a duration loaded")
        } catch {
            #expect(error.description.contains("primary.outcome_lag: expected a duration such as days(3), from 0 to 60 days"))
        }
        let long = try tests.experiment(fixture, "long", change: "CHG-0009", flag: "g", lift: "0.05), outcome_lag = days(61")
        #expect(throws: (any Error).self) { try loader.load(long) }
        var text = try String(contentsOf: try tests.experiment(fixture, "sb", change: "CHG-0010", flag: "h", lift: "0.05), outcome_lag = days(2"), encoding: .utf8)
        text = text.replacingOccurrences(of: #"ab { flag = "h", control = "off", treatment = "on", split = 0.5 }"#, with: #"switchback { flag = "h" }"#)
        let switchback = try fixture.folder.write(text, to: "experiments/sb.lua")
        do {
            _ = try loader.load(switchback)
            Issue.record("a switchback with an outcome lag loaded")
        } catch {
            #expect(error.description.contains("primary.outcome_lag: outcome_lag follows the customers of an A/B design's arms"))
        }
    }
}
