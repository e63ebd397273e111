import Foundation
import Testing
import VerdictStats
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// The dashboard's values (Core computes them; the page only lays them out): the chips through
/// the lifecycle, the figures as `report --json` has them, the day-by-day series and their bands,
/// the decided history's outcomes, and the week's direct-to-consumer jobs.
@Suite struct DashboardTests {
    let tests = RecordedVerdictTests()

    func dashboard(_ fixture: IngestFixture, at time: String, date: String) throws -> Dashboard {
        try Dashboard.make(workspace: fixture.workspace, clock: FixedClock(iso8601: time)!, date: LocalDay(date)!)
    }

    @Test func aRunningChangeShowsItsDayItsFiguresAndItsSeries() throws {
        let (fixture, _) = try tests.started()
        let page = try dashboard(fixture, at: "2026-11-05T06:00:00-06:00", date: "2026-11-05")
        let change = try #require(page.changes.first)
        #expect(page.changes.count == 1 && page.business == "Brightspark Electric")
        #expect(change.chip == Dashboard.Chip(tone: .running, label: "running day 4 of 7", detail: nil))
        #expect(page.refreshedAt.hasPrefix("2026-11-05 06:00 "))
        #expect(page.auditHead == (try AuditTrail(workspace: fixture.workspace).head())?.description)

        // One truth: the figures are the report's over the sealed window.
        let lifecycle = try Lifecycle(workspace: fixture.workspace, clock: StartTests.now, actor: "")
        let sealed = try #require(try lifecycle.sealedExperiment(changeID: "CHG-0007"))
        let report = try ReportRun.evaluate(
            [(URL(fileURLWithPath: "x.lua"), .success(sealed.declaration))], sandbox: nil, workspace: fixture.workspace,
            from: sealed.from, to: sealed.to, daily: false)[0].get().report
        let rows = try #require(change.figures.first?.rows)
        #expect(change.figures.first?.cohorts == ["all", "new_customer"])
        #expect(rows.map(\.kpi) == report.kpis.map(\.kpi.name))
        for (row, result) in zip(rows, report.kpis) {
            #expect(row.controlN == result.control.n && row.treatmentN == result.treatment.n)
            #expect(row.relative == result.relative?.value)
        }
        #expect(change.verdict?.recorded == false && change.verdict?.outcome == report.verdict.outcome.rawValue)

        // Day by day up to the page's date, and each arm's band around its value so far.
        let primary = try #require(change.primary)
        #expect(primary.days.map(\.day) == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"])
        let control = try #require(primary.control)
        #expect(control.low < control.value && control.value < control.high)
        #expect(control.value == report.kpis[0].control.value)
        let wilson = Compare.wilson(
            successes: Int((report.kpis[0].control.value * Double(report.kpis[0].control.n)).rounded()), trials: report.kpis[0].control.n)
        #expect(abs(control.low - wilson.low) < 1e-12 && abs(control.high - wilson.high) < 1e-12)
        // The 24, 48 and 72 hour checks are still to come: nothing has run them.
        #expect(change.timeline.map(\.kind) == [.scheduled, .scheduled, .scheduled])
        #expect(change.audit.map(\.action) == ["start", "override-underpowered"])
    }

    @Test func afterTheWindowTheChipGivesTheVerdictThenTheDecision() throws {
        let (fixture, tests) = try tests.started()
        let lifecycle = try tests.lifecycle(fixture)
        let (_, verdict, _) = try lifecycle.evaluate("CHG-0007")
        var page = try dashboard(fixture, at: "2026-11-09T07:00:00-06:00", date: "2026-11-09")
        var change = try #require(page.changes.first)
        #expect(change.chip.label == verdict.outcome.uppercased())
        #expect(change.chip.detail == "\(verdict.recommendation!) · awaiting decision")
        #expect(change.verdict?.recorded == true && change.verdict?.recommendation == verdict.recommendation)
        #expect(change.outcome == nil)

        try lifecycle.decide("CHG-0007", .rollback, note: "not worth it")
        page = try dashboard(fixture, at: "2026-11-09T08:00:00-06:00", date: "2026-11-09")
        change = try #require(page.changes.first)
        #expect(change.chip.detail == "rolled back")
        #expect(change.decisions.map(\.decision) == ["rollback"] && change.decisions[0].note == "not worth it")
        let expected: Dashboard.Outcome = verdict.outcome == "pass" ? .won : verdict.outcome == "fail" ? .lost : .inconclusive
        #expect(change.outcome == expected)
        #expect(change.timeline.contains { $0.kind == .rollback })
        #expect(change.audit.last?.summary == "decision rollback: not worth it")
    }

    @Test func theImpactBandCountsTheWeeksJobsAgainstTheWeekBefore() throws {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        var rows: [String] = []
        // 20 bookings and 10 jobs of $100..$190 in the week before 9 November, 30 and 12 of $200.. in it.
        let before = ["2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31", "2026-11-01"]
        let week = (2...8).map { "2026-11-0\($0)" }
        for (first, bookings, jobs, base) in [(26, 20, 10, 100.0), (2, 30, 12, 200.0)] {
            let days = first == 26 ? before : week
            for index in 0..<bookings {
                let date = days[index % 7]
                rows.append(#"{"event":"appointment_booked","timestamp":"\#(date)T18:00:00Z","user_id":"b\#(first)-\#(index)"}"#)
            }
            for index in 0..<jobs {
                let date = days[index % 7]
                rows.append(#"{"event":"job_completed","timestamp":"\#(date)T20:00:00Z","user_id":"j\#(first)-\#(index)","value":\#(base + Double(index) * 10)}"#)
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "office.jsonl")
        let impact = try dashboard(fixture, at: "2026-11-09T07:00:00-06:00", date: "2026-11-09").impact
        #expect(impact.week == "2026-11-02 to 2026-11-08" && impact.before == "2026-10-26 to 2026-11-01")
        #expect(impact.metrics.map(\.name) == ["jobs booked", "jobs completed", "revenue"])
        let revenueWeek: Double = 12 * 200 + 10 * 66  // 200, 210, ..., 310
        let revenueBefore: Double = 10 * 100 + 10 * 45  // 100, 110, ..., 190
        #expect(impact.metrics.map(\.week) == [30, 12, revenueWeek])
        #expect(impact.metrics.map(\.before) == [20, 10, revenueBefore])
        let booked = try #require(Compare.rateRatio(control: (20, 7), treatment: (30, 7)))
        #expect(impact.metrics[0].change == booked.value - 1 && impact.metrics[0].low == booked.low - 1)
        #expect(impact.metrics[0].changeText == "+50.0% (\(FigureText.percent(booked.low - 1, signed: true)) to \(FigureText.percent(booked.high - 1, signed: true)))")
        #expect(impact.running.isEmpty)
    }

    @Test func aWeekWithoutJobsSaysSoRatherThanShowingAChange() throws {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        let impact = try dashboard(fixture, at: "2026-11-09T07:00:00-06:00", date: "2026-11-09").impact
        #expect(impact.metrics.allSatisfy { $0.change == nil && $0.changeText.contains("too few events") })
    }

    /// The revenue ratio's interval by hand: log ratio ln 2, standard error sqrt(0.1 + 0.1).
    @Test func aTotalsRatioFollowsTheCompoundPoissonDeltaMethod() throws {
        let estimate = try #require(Compare.totalRatio(control: (100, 1000, 7), treatment: (200, 4000, 7)))
        let se = 0.2.squareRoot(), z = Normal.quantile(0.975)
        #expect(abs(estimate.value - 2) < 1e-12)
        #expect(abs(estimate.low - exp(log(2) - z * se)) < 1e-12 && abs(estimate.high - exp(log(2) + z * se)) < 1e-12)
        #expect(abs(estimate.pValue - 2 * Normal.cdf(-log(2) / se)) < 1e-12)
        #expect(Compare.totalRatio(control: (0, 0, 7), treatment: (10, 100, 7)) == nil)
    }
}

/// Each day's figures from one read of the window are the figures of a window of that day alone.
@Suite struct OneReadDailyTests {
    @Test func everyDayFromOneReadEqualsThatDaysOwnReport() throws {
        let (fixture, tests) = try RecordedVerdictTests().started()
        let lifecycle = try tests.lifecycle(fixture)
        let sealed = try #require(try lifecycle.sealedExperiment(changeID: "CHG-0007"))
        let evaluator = Evaluator(store: fixture.store, declaration: sealed.declaration, settings: fixture.workspace.settings)
        let kpis = sealed.declaration.kpis.enumerated().map { ($1, $0 == 0 ? KPIResult.Role.primary : $0 == 1 ? .leading : .guardrail) }
        let series = try evaluator.daily(kpis, from: sealed.from, to: sealed.to)
        #expect(series.count == kpis.count && series.allSatisfy { $0.count == 7 })
        var compared = 0
        for (index, days) in series.enumerated() {
            for (day, result) in days {
                let alone = try evaluator.report(from: day, to: day).kpis[index]
                #expect(result.control.n == alone.control.n && result.treatment.n == alone.treatment.n, "\(result.kpi.name) on \(day)")
                #expect(result.control.value == alone.control.value || (result.control.value.isNaN && alone.control.value.isNaN))
                #expect(result.treatment.value == alone.treatment.value || (result.treatment.value.isNaN && alone.treatment.value.isNaN))
                #expect(result.relative?.value == alone.relative?.value || (result.relative?.value.isNaN ?? false))
                if result.control.n + result.treatment.n > 0 { compared += 1 }
            }
        }
        #expect(compared >= 7, "days with figures: \(compared)")

        // The report read with its days is the report read alone.
        let (report, days) = try evaluator.reportWithDays(from: sealed.from, to: sealed.to, days: kpis)
        let alone = try evaluator.report(from: sealed.from, to: sealed.to)
        #expect(report.kpis == alone.kpis && report.verdict == alone.verdict && report.sampleRatioUnits == alone.sampleRatioUnits)
        #expect(report.recommendation == alone.recommendation)
        #expect(days.map { $0.map(\.result) } == series.map { $0.map(\.result) })
    }
}
