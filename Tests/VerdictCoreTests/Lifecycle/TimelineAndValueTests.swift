import Foundation
import Testing
import VerdictStats
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// Time to first exposure, time to impact, incidents and their recovery, and what keeping a
/// change is worth (issue 24, items 11 to 13).
@Suite struct TimelineAndValueTests {
    @Test func theTimelineOfAStartedChange() throws {
        let (fixture, tests) = try RecordedVerdictTests().started()
        let lifecycle = try tests.lifecycle(fixture)
        let timeline = try #require(try lifecycle.timeline(of: "CHG-0007"))
        // Started 2026-11-02T13:00Z; the first treatment event is 2026-11-02T18:00Z ("on", day 2).
        #expect(timeline.timeToFirstExposureHours == 5)
        // The leading indicator (book_now_click) has no events here: no felt impact to report.
        #expect(timeline.timeToImpactHours == nil && timeline.incidents.isEmpty && timeline.timeToRecoverHours == nil)
        #expect(timeline.sentence.hasPrefix("first customer reached 5 hours after the start; no felt impact"))

        // A rollback decided after the verdict: an incident, recovered when the flag is off.
        _ = try lifecycle.evaluate("CHG-0007")
        _ = try lifecycle.decide("CHG-0007", .rollback, note: "not worth it")
        let after = try #require(try lifecycle.timeline(of: "CHG-0007"))
        #expect(after.incidents.count == 1 && after.incidents[0].kind == "rollback" && after.incidents[0].hours == 0)
        #expect(after.timeToRecoverHours == 0)
        let recover = try lifecycle.meanTimeToRecover(days: 90)
        #expect(recover.incidents == 1 && recover.hours == 0 && recover.open == 0)
        // In the report's JSON, beside the figures.
        let json = String(decoding: try JSONEncoder().encode(after), as: UTF8.self)
        #expect(json.contains(#""time_to_first_exposure_hours":5"#) && json.contains(#""time_to_impact_hours":null"#))
        #expect(json.contains(#""kind":"rollback""#))
    }

    @Test func theTimeToImpactIsTheFirstMorningThatSeesTheLeadingIndicatorMove() throws {
        let (fixture, tests) = try RecordedVerdictTests().started()
        // Clicks on the new button from the second day on, in the treatment only.
        var rows: [String] = []
        for day in 3...6 {
            for index in 0..<8 {
                rows.append(
                    #"{"event":"book_now_click","timestamp":"2026-11-0\#(day)T17:00:00Z","user_id":"c\#(day)-\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on","status":"success"}"#)
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "clicks.jsonl")
        let timeline = try #require(try tests.lifecycle(fixture).timeline(of: "CHG-0007"))
        // The first day's figures that show it are 2026-11-03's (Chicago): its end is 2026-11-04T06:00Z,
        // 41 hours after the start at 2026-11-02T13:00Z.
        #expect(timeline.timeToImpactHours == 41, "\(timeline)")
    }

    @Test func whatKeepingIsWorthPerMonth() throws {
        // 40 customers an arm over 7 days; the treatment's bring $30 more each on average.
        func moments(_ values: [Double]) -> Moments {
            Moments(n: values.count, sum: values.reduce(0, +), sumOfSquares: values.reduce(0) { $0 + $1 * $1 })
        }
        let control = (0..<40).map { Double($0 % 4 == 0 ? 400 : ($0 % 4 == 1 ? 150 : 0)) }
        let treatment = (0..<40).map { Double($0 % 4 == 0 ? 430 : ($0 % 4 == 1 ? 180 : ($0 % 4 == 2 ? 60 : 0))) }
        let value = try #require(ValueEffect.make(control: moments(control), treatment: moments(treatment), days: 7))
        let welch = try #require(Compare.meanDifference(
            control: ArmSummary(n: 40, mean: 137.5, variance: variance(control)), treatment: ArmSummary(n: 40, mean: 167.5, variance: variance(treatment))))
        let perMonth = 80.0 / 7 * 30
        #expect(abs(value.perCustomer - 30) < 1e-9 && abs(value.customersPerMonth - perMonth) < 1e-9)
        #expect(abs(value.expectedMonthly - 30 * perMonth) < 1e-6)
        #expect(abs(value.interval[0] - welch.low * perMonth) < 1e-6 && abs(value.interval[1] - welch.high * perMonth) < 1e-6)
        // Less the expected loss of keeping, under the same t: smaller, and by that loss exactly.
        let t = StudentT(degreesOfFreedom: welch.degreesOfFreedom!)
        let loss = welch.standardError * t.positivePart(shift: -welch.value / welch.standardError)! * perMonth
        #expect(abs(value.riskAdjustedMonthly - (value.expectedMonthly - loss)) < 1e-6 && value.riskAdjustedMonthly < value.expectedMonthly)
        #expect(value.sentence.hasPrefix("keeping it is worth an expected +$10,286 a month in job and invoice value (95% interval"), "\(value.sentence)")
        // Without values, or one customer an arm: nothing to say.
        #expect(ValueEffect.make(control: moments([0, 0]), treatment: moments([0, 0]), days: 7) == nil)
        #expect(ValueEffect.make(control: moments([100]), treatment: moments([120, 80]), days: 7) == nil)
    }

    func variance(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    }
}
