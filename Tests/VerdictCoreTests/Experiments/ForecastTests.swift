import Foundation
import Testing
@testable import VerdictCore
import VerdictStats
import VerdictTestSupport

/// `verdict forecast` on empty, short and long history.
@Suite(.serialized) struct ForecastTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `viewers` customers a day view a quote, 10% book, over `days` days before 2026-12-01.
    /// The fixture is returned too: its folder must outlive the store's connections.
    func evaluator(days: Int, viewers: Int, lift: String = "0.05") throws -> (IngestFixture, Evaluator) {
        let fixture = try IngestFixture(timeZone: "UTC")
        var lines: [String] = []
        for day in 0..<days {
            let date = LocalDay(number: LocalDay("2026-12-01")!.number - Int32(day + 1)).description
            for index in 0..<viewers {
                let user = "u\(day)-\(index)"
                lines.append(#"{"event":"quote_viewed","timestamp":"\#(date)T10:00:00Z","user_id":"\#(user)","user_cohort":"new_customer"}"#)
                if index % 10 == 0 {
                    lines.append(#"{"event":"appointment_booked","timestamp":"\#(date)T11:00:00Z","user_id":"\#(user)","user_cohort":"new_customer"}"#)
                }
            }
        }
        if !lines.isEmpty { try fixture.ingest(lines.joined(separator: "\n") + "\n", as: "history.jsonl") }
        var text = try String(contentsOf: Self.repository.appendingPathComponent("experiments/templates/conversion.lua"), encoding: .utf8)
        text = text.replacingOccurrences(of: "lift_at_least(0.05)", with: "lift_at_least(\(lift))")
        let (declaration, sandbox) = try ExperimentLoader(workspace: fixture.workspace).loadKeepingSandbox(try fixture.folder.write(text, to: "experiments/e.lua"))
        return (fixture, Evaluator(store: fixture.store, declaration: declaration, settings: fixture.workspace.settings, sandbox: sandbox))
    }

    /// A rate per event is read per appointment, as the report reads it: 24 appointments fall
    /// due a day and 6 of them are no-shows, so 24 a day at 25%, not 6 "a day" of customers.
    @Test func aRatePerAppointmentIsForecastPerAppointment() throws {
        let fixture = try IngestFixture(timeZone: "UTC")
        var lines: [String] = []
        for day in 0..<28 {
            let date = LocalDay(number: LocalDay("2026-12-01")!.number - Int32(day + 1)).description
            for index in 0..<24 {
                lines.append(#"{"event":"appointment_due","timestamp":"\#(date)T09:00:00Z","user_id":"c\#(day)-\#(index)"}"#)
                if index < 6 { lines.append(#"{"event":"no_show","timestamp":"\#(date)T10:00:00Z","user_id":"c\#(day)-\#(index)"}"#) }
            }
        }
        try fixture.ingest(lines.joined(separator: "\n") + "\n", as: "appointments.jsonl")
        let text = try String(contentsOf: Self.repository.appendingPathComponent("experiments/templates/no-show.lua"), encoding: .utf8)
        let (declaration, sandbox) = try ExperimentLoader(workspace: fixture.workspace).loadKeepingSandbox(try fixture.folder.write(text, to: "experiments/n.lua"))
        let evaluator = Evaluator(store: fixture.store, declaration: declaration, settings: fixture.workspace.settings, sandbox: sandbox)
        let forecast = try withExtendedLifetime(fixture) { try evaluator.forecast(today: LocalDay("2026-12-01")!, baselineDays: 28) }
        let primary = forecast.kpis[0]
        #expect(abs(primary.perDay - 24) < 1e-9 && abs(primary.baseline! - 0.25) < 1e-12)
        #expect(abs(primary.perArm - 24 * 7 * 0.5) < 1e-9)
        // 21 no-shows an arm over the window: the log rate ratio's normal approximation.
        let z = Normal.quantile(0.975) + Normal.quantile(0.8)
        #expect(abs(primary.minimumDetectableEffect! - z * (2.0 / 21).squareRoot()) < 1e-9)
        // A 30% drop needs z²(1 + 1/0.7)/0.09 no-shows an arm, at 3 an arm a day.
        #expect(abs(primary.daysForThreshold! - z * z * (1 + 1 / 0.7) / 0.09 / 3) < 1e-6)
    }

    @Test func emptyHistorySaysWhatItCannotKnow() throws {
        let (fixture, evaluator) = try evaluator(days: 0, viewers: 0)
        let forecast = try withExtendedLifetime(fixture) { try evaluator.forecast(today: LocalDay("2026-12-01")!, baselineDays: 28) }
        #expect(forecast.kpis[0].perDay == 0)
        #expect(forecast.kpis[0].minimumDetectableEffect == nil)
        #expect(forecast.conclusion.hasPrefix("There is no history for quote_viewed → appointment_booked in the last 28 days"))
    }

    @Test func shortHistoryWithLittleTrafficCannotDecide() throws {
        let (fixture, evaluator) = try evaluator(days: 5, viewers: 20)
        let forecast = try withExtendedLifetime(fixture) { try evaluator.forecast(today: LocalDay("2026-12-01")!, baselineDays: 28) }
        let primary = forecast.kpis[0]
        // 5 days of 20 a day: per day over the 5 days that have history, not the 28 asked for, and it says so.
        #expect(forecast.days == 5 && forecast.requestedDays == 28 && forecast.from == LocalDay("2026-11-26")!)
        #expect(forecast.note == "only 5 days of history (from 2026-11-26) of the 28 asked for: the figures are per day over those")
        #expect(abs(primary.perDay - 20) < 1e-9)
        #expect(abs(primary.baseline! - 0.1) < 1e-12)
        #expect(abs(primary.perArm - 20 * 7 * 0.5) < 1e-9)
        #expect(forecast.conclusion.hasPrefix("7 days cannot decide this rule"))
        // The sample the rule needs, divided by what one arm gets a day.
        let needed = Power.sampleSizePerArm(baseline: 0.1, relativeLift: 0.05, alpha: 0.05, power: 0.8)
        #expect(abs(primary.daysForThreshold! - needed / (20 * 0.5)) < 1e-6)
        // The sentence and the table round the days the same way (up).
        #expect(forecast.conclusion.contains("needs about \(Int(primary.daysForThreshold!.rounded(.up))) days"))
    }

    @Test func longHistoryWithEnoughTrafficCanDecideABoldRule() throws {
        let (fixture, evaluator) = try evaluator(days: 28, viewers: 300, lift: "0.5")
        let forecast = try withExtendedLifetime(fixture) { try evaluator.forecast(today: LocalDay("2026-12-01")!, baselineDays: 28) }
        let primary = forecast.kpis[0]
        #expect(primary.perDay == 300)
        #expect(primary.perArm == 1050)
        #expect(forecast.days == 28 && forecast.note == nil)
        let mde = try #require(primary.minimumDetectableEffect)
        #expect(abs(mde - Power.minimumDetectableLift(baseline: 0.1, perArm: 1050, alpha: 0.05, power: 0.8)) < 1e-12)
        #expect(primary.daysForThreshold! < 7)
        #expect(forecast.conclusion.hasPrefix("7 days can decide this rule"))
    }

    /// A drop rule's smallest detectable change is a drop: never more than the whole baseline.
    @Test func aDropRulesDetectableChangeIsAtMostTheBaseline() throws {
        #expect(abs(Power.minimumDetectableDrop(baseline: 0.3, perArm: 1e6, alpha: 0.05, power: 0.8)) < 0.01)
        for perArm in [5.0, 20, 80, 400] {
            let drop = Power.minimumDetectableDrop(baseline: 0.05, perArm: perArm, alpha: 0.05, power: 0.8)
            #expect(drop.isInfinite || (drop > 0 && drop <= 1), "\(perArm) per arm: \(drop)")
        }
        // Too few to detect even a drop to zero: infinite, never 188.8%.
        #expect(Power.minimumDetectableDrop(baseline: 0.05, perArm: 5, alpha: 0.05, power: 0.8).isInfinite)
        var latency = KPI(name: "p95", kind: .mean(event: "x", of: .latencyMs), filter: .init(), better: .lower, rule: .dropAtLeast(0.1), maxIncrease: nil)
        #expect(Evaluator.directed(1.888, latency).isInfinite && Evaluator.directed(0.4, latency) == 0.4)
        latency.better = .higher
        #expect(Evaluator.directed(1.888, latency) == 1.888)
    }
}
