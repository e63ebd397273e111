import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictStats
import VerdictStore
import VerdictTestSupport

/// Evaluation over hand-made datasets whose answers are known.
@Suite(.serialized) struct EvaluatorTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func event(_ name: String, day: String, flag: String?, user: String, status: String = "success", change: String? = "CHG-0001", cohort: String = "new_customer") -> String {
        var fields = [#""event":"\#(name)""#, #""timestamp":"\#(day)T12:00:00Z""#, #""user_id":"\#(user)""#, #""status":"\#(status)""#, #""user_cohort":"\#(cohort)""#]
        if let change { fields.append(#""change_id":"\#(change)""#) }
        if let flag { fields.append(#""version_flag":"\#(flag)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    func setUp(template: String, replacing: [(String, String)] = [], data: [String]) throws -> (IngestFixture, ExperimentDeclaration, Evaluator) {
        let fixture = try IngestFixture(timeZone: "UTC")
        var text = try String(contentsOf: Self.repository.appendingPathComponent("experiments/templates/\(template).lua"), encoding: .utf8)
        for (from, to) in replacing { text = text.replacingOccurrences(of: from, with: to) }
        let (declaration, sandbox) = try ExperimentLoader(workspace: fixture.workspace).loadKeepingSandbox(try fixture.folder.write(text, to: "experiments/e.lua"))
        try fixture.ingest(data.joined(separator: "\n") + "\n", as: "data.jsonl")
        return (fixture, declaration, Evaluator(store: fixture.store, declaration: declaration, settings: fixture.workspace.settings, sandbox: sandbox))
    }

    /// A/B: 1000 customers per arm view a quote; 100 book in control, 130 in treatment.
    @Test func abArmsByFlag() throws {
        var data: [String] = []
        for index in 0..<1000 {
            for (flag, bookings) in [("off", 100), ("on", 130)] {
                let user = "\(flag)-\(index)"
                data.append(Self.event("quote_viewed", day: "2026-11-0\(2 + index % 7)", flag: flag, user: user))
                if index < bookings { data.append(Self.event("appointment_booked", day: "2026-11-0\(2 + index % 7)", flag: flag, user: user)) }
                if index < 500 {
                    let failed = flag == "off" ? index < 5 : index < 6
                    data.append(Self.event("booking_submit", day: "2026-11-0\(2 + index % 7)", flag: flag, user: user, status: failed ? "error:timeout" : "success"))
                }
                if flag == "on" && index < 300 { data.append(Self.event("book_now_click", day: "2026-11-0\(2 + index % 7)", flag: flag, user: user)) }
            }
        }
        // Events outside the change, the window or the cohort are not seen.
        data.append(Self.event("appointment_booked", day: "2026-11-03", flag: "on", user: "x", change: "CHG-0002"))
        data.append(Self.event("appointment_booked", day: "2026-11-20", flag: "on", user: "on-999"))
        data.append(Self.event("quote_viewed", day: "2026-11-03", flag: "on", user: "r1", cohort: "returning"))
        let (fixture, _, evaluator) = try setUp(template: "conversion", data: data)
        defer { withExtendedLifetime(fixture) {} }
        let report = try evaluator.report(from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)

        let primary = report.kpis[0]
        #expect(primary.control.n == 1000 && primary.treatment.n == 1000)
        #expect(primary.control.value == 0.10 && primary.treatment.value == 0.13)
        // The relative change's interval and p-value come from the arms' Beta posteriors, as do
        // the absolute interval and the chance.
        let posterior = try #require(TwoArmPosterior.rates(control: (100, 1000), treatment: (130, 1000)))
        let expected = posterior.relative(observed: 0.13 / 0.10 - 1)
        #expect(primary.relative == expected && primary.pValue == expected?.pValue && primary.test == "Beta posteriors (uniform prior)")
        #expect(primary.difference == posterior.absolute(observed: 0.13 - 0.10) && primary.comparison?.chanceHigher == posterior.chanceHigher)
        #expect(abs(primary.difference!.value - 0.03) < 1e-12 && primary.difference!.low > 0 && primary.relative!.low > 0)
        // A 5% lift on a 10% baseline needs tens of thousands per arm: inconclusive, and the reason says why.
        #expect(primary.requiredPerArm! > 20_000)
        #expect(report.verdict.outcome == .inconclusive)
        #expect(report.verdict.reason.hasPrefix("sample 1000 per arm is below the "))

        let leading = report.kpis[1]
        #expect(leading.control.n == 0 && leading.treatment.n == 300)
        let guardrail = report.kpis[2]
        #expect(guardrail.control.value == 0.01 && guardrail.treatment.value == 0.012)
        #expect(report.verdict.ruleHolds[guardrail.kpi.name] == .some(true))  // +0.2 pp within +0.5 pp
        // Same number of customers per arm: no sample ratio mismatch.
        #expect(report.sampleRatioMismatch!.pValue == 1)

        // Day by day: each customer here acts on one day, so the days add up to the window.
        let days = try evaluator.daily(primary.kpi, role: .primary, from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)
        #expect(days.count == 7)
        #expect(days.map(\.result.control.n).reduce(0, +) == 1000)
        #expect(days.map(\.result.treatment.n).reduce(0, +) == 1000)
        let clicks = try evaluator.daily(report.kpis[1].kpi, role: .leading, from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)
        #expect(clicks.map(\.result.treatment.n).reduce(0, +) == 300)
    }

    /// Results overall and per cohort: each cohort sees only its own customers.
    @Test func cohortSplits() throws {
        var data: [String] = []
        for index in 0..<300 {
            let cohort = index < 200 ? "new_customer" : "returning"
            for flag in ["off", "on"] {
                let user = "\(flag)-\(index)"
                data.append(Self.event("quote_viewed", day: "2026-11-03", flag: flag, user: user, cohort: cohort))
                // New customers book 10% (off) vs 20% (on); returning ones 50% in both arms.
                let books = cohort == "returning" ? index % 2 == 0 : index % (flag == "on" ? 5 : 10) == 0
                if books { data.append(Self.event("appointment_booked", day: "2026-11-03", flag: flag, user: user, cohort: cohort)) }
            }
        }
        let (fixture, _, evaluator) = try setUp(
            template: "conversion", replacing: [(#"cohorts    = { "new_customer" }"#, #"cohorts    = { "new_customer", "returning" }"#)], data: data)
        defer { withExtendedLifetime(fixture) {} }
        let report = try evaluator.report(from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!)
        #expect(report.kpis[0].control.n == 300 && report.kpis[0].treatment.n == 300)
        #expect(report.cohorts.map(\.cohort) == ["new_customer", "returning"])
        let new = report.cohorts[0].kpis[0], returning = report.cohorts[1].kpis[0]
        #expect(new.control.n == 200 && new.control.value == 0.10 && new.treatment.value == 0.20)
        #expect(returning.control.n == 100 && returning.control.value == 0.5 && returning.treatment.value == 0.5)
        #expect(abs(report.kpis[0].control.value - 70.0 / 300) < 1e-12)  // overall: 20 + 50 of 300
    }

    /// Before/after compares the window with the same weekdays one or two weeks earlier.
    @Test func beforeAfterAlignsWeekdays() throws {
        var data: [String] = []
        // Two baseline weeks with 10 requests a day; the window (Mon 2026-11-16 .. Sun 22) with 12.
        for day in 2...22 {
            let date = String(format: "2026-11-%02d", day)
            for index in 0..<(day >= 16 ? 12 : 10) { data.append(Self.event("quote_requested", day: date, flag: nil, user: "u\(day)-\(index)", change: nil)) }
        }
        let (fixture, _, evaluator) = try setUp(template: "leading-count", data: data)
        defer { withExtendedLifetime(fixture) {} }
        let (control, treatment) = evaluator.arms(from: LocalDay("2026-11-16")!, to: LocalDay("2026-11-22")!, cohorts: [])
        #expect(control.filter.days.sorted().map { LocalDay(number: $0).description }.first == "2026-11-02")
        #expect(control.filter.days.count == 14)
        let window = LocalDay("2026-11-16")!.number...LocalDay("2026-11-22")!.number
        #expect(control.filter.days.allSatisfy { day in window.contains(day + 7) || window.contains(day + 14) })
        #expect(treatment.exposure == 7 && control.exposure == 14)
        let report = try evaluator.report(from: LocalDay("2026-11-16")!, to: LocalDay("2026-11-22")!)
        let primary = report.kpis[0]
        #expect(primary.control.n == 140 && primary.treatment.n == 84)
        #expect(primary.control.value == 10 && primary.treatment.value == 12)  // per day
        #expect(abs(primary.relative!.value - 0.2) < 1e-12)
        #expect(report.sampleRatioMismatch == nil)  // no arms to mismatch in before/after
    }

    /// Before/after with a per-customer conversion: the baseline's periods are each as long as
    /// the window and a customer counts once per period, so a two-week baseline of the same
    /// weekly behaviour gives the same conversion as the window (not a longer chance to convert).
    /// A 14-day window's baseline lies wholly before it.
    @Test func beforeAfterCountsCustomersPerPeriod() throws {
        var data: [String] = []
        // Every week, the same 20 customers view a quote on Monday and 5 of them book on Friday.
        for monday in [2, 9, 16] {
            for index in 0..<20 {
                let user = "u\(index)"
                data.append(Self.event("quote_viewed", day: String(format: "2026-11-%02d", monday), flag: nil, user: user, change: nil))
                if index < 5 { data.append(Self.event("appointment_booked", day: String(format: "2026-11-%02d", monday + 4), flag: nil, user: user, change: nil)) }
            }
        }
        let (fixture, _, evaluator) = try setUp(
            template: "conversion",
            replacing: [(#"design     = ab { flag = "book_now_button", control = "off", treatment = "on", split = 0.5 },"#, "design = before_after { weeks = 2 },")],
            data: data)
        defer { withExtendedLifetime(fixture) {} }
        let report = try evaluator.report(from: LocalDay("2026-11-16")!, to: LocalDay("2026-11-22")!)
        let primary = report.kpis[0]
        #expect(primary.control.n == 40 && primary.control.value == 0.25)  // 20 customers × 2 weeks
        #expect(primary.treatment.n == 20 && primary.treatment.value == 0.25)
        #expect(abs(primary.relative!.value) < 1e-12)

        let (control, treatment) = evaluator.arms(from: LocalDay("2026-11-16")!, to: LocalDay("2026-11-29")!, cohorts: [])
        #expect(control.filter.days.count == 28 && control.filter.days.max()! < treatment.filter.fromDay!)
        #expect(control.filter.days.min() == LocalDay("2026-10-19")!.number)  // two 14-day periods back
    }

    /// Switchback arms are the days of a seeded schedule: deterministic, and they split the window.
    @Test func switchbackScheduleSplitsTheDays() throws {
        let days = (0..<28).map { LocalDay("2026-11-01")!.number + Int32($0) }
        let schedule = days.map { Evaluator.switchbackIsTreatment(day: $0, seed: 7) }
        #expect(schedule == days.map { Evaluator.switchbackIsTreatment(day: $0, seed: 7) })
        #expect(schedule != days.map { Evaluator.switchbackIsTreatment(day: $0, seed: 8) })
        #expect(schedule.filter { $0 }.count > 7 && schedule.filter { !$0 }.count > 7)
        let (fixture, _, evaluator) = try setUp(template: "photo-throttle", data: [Self.event("page_load", day: "2026-11-02", flag: "on", user: "a")])
        defer { withExtendedLifetime(fixture) {} }
        let (control, treatment) = evaluator.arms(from: LocalDay("2026-11-01")!, to: LocalDay("2026-11-28")!, cohorts: [])
        #expect(Set(control.filter.days).isDisjoint(with: treatment.filter.days))
        #expect(control.filter.days.count + treatment.filter.days.count == 28)
        #expect(treatment.filter.days == days.filter { Evaluator.switchbackIsTreatment(day: $0, seed: 7) })
    }
}
