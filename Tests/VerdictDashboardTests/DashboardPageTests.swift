import Foundation
import Testing
@testable import VerdictCore
@testable import VerdictDashboard

/// The page as text: self-contained, safe with any text a script or an export brings, a chip and
/// a panel per change, shapes that do not need colour, and small at the scale of a busy shop.
@Suite struct DashboardPageTests {
    static func change(_ index: Int, title: String = "Book-now button", tone: Dashboard.Chip.Tone = .running, state: ExperimentState = .running) -> Dashboard.Change {
        let id = String(format: "CHG-%04d", index)
        let status = ExperimentStatus(
            changeID: id, title: title, scriptPath: "experiments/e\(index).lua", seal: String(repeating: "a", count: 64), state: state,
            startedAt: "2026-11-02T13:00:00Z", windowStart: "2026-11-02", windowEnd: "2026-11-08", windowDays: 7, day: 4, flag: nil,
            safetyChecks: ["2026-11-03T07:00:00-06:00", "2026-11-04T07:00:00-06:00", "2026-11-05T07:00:00-06:00"],
            next: "the window ends 2026-11-08", today: nil, verdict: nil)
        let days = (2...8).map { "2026-11-0\($0)" }
        let series = Dashboard.Series(
            kpi: "quote_viewed → appointment_booked", unit: .rate,
            days: days.map { .init(day: $0, control: 0.2, treatment: 0.25, controlN: 120, treatmentN: 118, controlText: "20.0%", treatmentText: "25.0%") },
            control: .init(value: 0.2, low: 0.17, high: 0.23, text: "20.0% (17.0% to 23.0%)"),
            treatment: .init(value: 0.25, low: 0.21, high: 0.29, text: "25.0% (21.0% to 29.0%)"))
        let row = Dashboard.FigureRow(
            kpi: "quote_viewed → appointment_booked", role: "primary", control: 0.2, treatment: 0.25, controlN: 840, treatmentN: 826,
            relative: 0.25, low: 0.05, high: 0.48, pValue: 0.01, controlText: "20.0%", treatmentText: "25.0%", changeText: "+25.0% (+5.0% to +48.0%)")
        let cohorts = ["new_customer", "returning", "commercial"]
        return Dashboard.Change(
            status: status, hypothesis: "A visible button raises bookings.", design: "A/B on flag f: off vs on, 50% treatment",
            rule: "PASS when ... shows lift ≥ 5%", limits: ["booking_submit error rate may rise at most 0.5 pp"], cohorts: cohorts,
            chip: .init(tone: tone, label: tone == .running ? "running day 4 of 7" : tone.rawValue.uppercased(), detail: nil),
            outcome: nil,
            figures: [.init(cohorts: ["all"], caption: "every declared cohort", rows: [row, row, row])]
                + cohorts.map { .init(cohorts: [$0], caption: "cohort \($0)", rows: [row, row, row]) },
            primary: series, leading: series,
            guardrails: [.init(kpi: "booking_submit error rate", change: 0.001, low: -0.004, high: 0.006, limit: 0.005, holds: nil, text: "+0.1 pp")],
            timeline: [.init(hour: 24, kind: .ok, text: "24h check: ok"), .init(hour: 48, kind: .breach, text: "48h check: breach"),
                       .init(hour: 48.5, kind: .throttle, text: "throttled"), .init(hour: 72, kind: .scheduled, text: "72h check: to come")],
            warnings: ["Sample ratio not judged yet."],
            verdict: .init(
                outcome: "inconclusive", reason: "the interval straddles the rule's threshold", recorded: false, recordedAt: nil,
                window: "2026-11-02 to 2026-11-08", primary: "quote_viewed → appointment_booked", relative: 0.25, low: 0.05, high: 0.48,
                controlN: 840, treatmentN: 826, mde: 0.2, changeText: "+25.0% (+5.0% to +48.0%)", recommendation: "extend",
                recommendationReason: "one more week"),
            decisions: [],
            audit: (1...40).map { .init(seq: Int64($0), at: "2026-11-02T13:00:00Z", actor: "dana", action: "flag", summary: "flag f: running 50% → throttled 10% (safety: 48h check)", hash: String(repeating: "b", count: 64)) })
    }

    static func dashboard(_ changes: [Dashboard.Change]) -> Dashboard {
        Dashboard(
            business: "Brightspark Electric", date: "2026-11-05", refreshedAt: "2026-11-05 06:00 CST", auditHead: "12:" + String(repeating: "c", count: 64),
            impact: .init(week: "2026-10-29 to 2026-11-04", before: "2026-10-22 to 2026-10-28", metrics: [
                .init(name: "jobs booked", event: "appointment_booked", week: 130, before: 120, change: 0.083, low: -0.15, high: 0.38,
                      weekText: "130", beforeText: "120", changeText: "+8.3% (-15.0% to +38.0%)")], running: ["CHG-0001 Book-now"]),
            changes: changes, cohorts: ["commercial", "new_customer", "returning"], failures: [])
    }

    @Test func twentyChangesMakeAPageWellUnderAMegabyte() {
        let page = DashboardPage.render(Self.dashboard((1...20).map { Self.change($0) }))
        #expect(page.utf8.count < 1_000_000, "the page is \(page.utf8.count) bytes")
        #expect(page.components(separatedBy: "<article class=\"change\"").count - 1 == 20)
        #expect(page.components(separatedBy: "<li class=\"chip").count - 1 == 20)
    }

    @Test func thePageNeedsNothingFromTheNetwork() {
        let page = DashboardPage.render(Self.dashboard([Self.change(1)]))
        for outside in ["http://", "https://", "src=", "<link", "@import", "//fonts", "fetch(", "XMLHttpRequest", "localStorage"] {
            #expect(!page.contains(outside), "the page contains \(outside)")
        }
        // The one url() is the hatch pattern defined in the page itself.
        #expect(page.components(separatedBy: "url(").count - 1 == 1 && page.contains("url(#hatch)") && page.contains("<pattern id=\"hatch\""))
        #expect(page.hasPrefix("<!doctype html>\n<html lang=\"en\">") && page.contains("<meta charset=\"utf-8\">"))
        #expect(page.contains("12:" + String(repeating: "c", count: 64)), "the audit head is printed")
    }

    @Test func textFromScriptsAndExportsStaysText() {
        let hostile = "<img src=x onerror=alert(1)></script><script>alert(2)</script>\"'&"
        var change = Self.change(1, title: hostile)
        change.hypothesis = hostile
        change.warnings = [hostile]
        change.status.changeID = "CHG-\"><script>"
        let page = DashboardPage.render(Self.dashboard([change]))
        #expect(!page.contains("<img") && !page.contains("<script>alert"))
        #expect(page.components(separatedBy: "<script>").count - 1 == 1, "only the page's own script")
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&quot;&#39;&amp;"))
    }

    @Test func everyToneHasItsOwnShapeAndWords() {
        let tones: [Dashboard.Chip.Tone] = [.running, .throttled, .pass, .fail, .inconclusive, .rolledBack]
        let shapes = tones.map { DashboardPage.shapes[$0]! }
        #expect(Set(shapes).count == tones.count, "two tones share a shape: \(shapes)")
        let page = DashboardPage.render(Self.dashboard(tones.enumerated().map { Self.change($0.offset + 1, tone: $0.element) }))
        for tone in tones { #expect(page.contains("tone-\(tone.rawValue)")) }
        #expect(page.contains("running day 4 of 7") && page.contains(">PASS<") && page.contains(">INCONCLUSIVE<"))
    }

    @Test func anEmptyWorkspaceSaysHowToStart() {
        let page = DashboardPage.render(Self.dashboard([]))
        #expect(page.contains("No change has started yet: <code>verdict start NAME</code>"))
        #expect(page.contains("No change has been decided yet."))
    }
}
