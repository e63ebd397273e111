import Foundation
import Testing
import VerdictTestSupport

/// Every surface over degenerate data (issue 24, item 7): empty arms, a control of zero, one
/// observation, identical values, a 100% rate. None may show `nan`, `inf` or `∞`: a figure that
/// does not exist is said in a sentence, or is `null` in JSON.
@Suite struct DegenerateDataTests {
    static let now = ["--now", "2026-11-09T07:00:00-06:00"]

    /// Events of one change on one day in the window, each arm's customers as given.
    static func events(_ change: String, _ flag: String, user: String, _ names: [(String, Double?)]) -> [String] {
        names.map { name, value in
            let amount = value.map { #","value":\#($0)"# } ?? ""
            return #"{"event":"\#(name)","timestamp":"2026-11-04T16:00:00Z","user_id":"\#(user)","user_cohort":"new_customer","change_id":"\#(change)","version_flag":"\#(flag)"\#(amount)}"#
        }
    }

    func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        #expect(try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url).status == 0)
        let experiments: [(name: String, template: String, change: String)] = [
            ("empty", "conversion", "CHG-0001"), ("zero-control", "conversion", "CHG-0002"), ("one-ticket", "average-ticket", "CHG-0003"),
            ("same-ticket", "average-ticket", "CHG-0004"), ("everyone-books", "conversion", "CHG-0005"), ("no-shows", "no-show", "CHG-0006"),
        ]
        var lines: [String] = []
        for index in 0..<12 {
            // Zero control: the control books nothing; only the treatment clicks.
            lines += Self.events("CHG-0002", "off", user: "z-off-\(index)", [("quote_viewed", nil)])
            lines += Self.events("CHG-0002", "on", user: "z-on-\(index)", [("quote_viewed", nil), ("appointment_booked", nil), ("book_now_click", nil)])
            // One observation: a single completed job in the treatment.
            lines += Self.events("CHG-0003", "off", user: "o-off-\(index)", [("job_completed", 250 + Double(index * 10))])
            // Identical values in both arms.
            lines += Self.events("CHG-0004", "off", user: "s-off-\(index)", [("job_completed", 300)])
            lines += Self.events("CHG-0004", "on", user: "s-on-\(index)", [("job_completed", 300)])
            // A 100% rate in both arms.
            for arm in ["off", "on"] {
                lines += Self.events("CHG-0005", arm, user: "e-\(arm)-\(index)", [("quote_viewed", nil), ("appointment_booked", nil)])
            }
            // No-shows: none in the control, some in the treatment.
            lines += Self.events("CHG-0006", "off", user: "n-off-\(index)", [("appointment_due", nil)])
            lines += Self.events("CHG-0006", "on", user: "n-on-\(index)", [("appointment_due", nil)] + (index < 4 ? [("no_show", nil)] : []))
        }
        lines += Self.events("CHG-0003", "on", user: "o-on", [("job_completed", 40)])
        try (lines.joined(separator: "\n") + "\n").write(to: folder.url.appendingPathComponent("events.jsonl"), atomically: true, encoding: .utf8)
        for experiment in experiments {
            let made = try VerdictProcess.run(["new", experiment.name, "--template", experiment.template, "--change-id", experiment.change] + Self.now, in: folder.url)
            #expect(made.status == 0, "\(made.error)")
            // A flag of its own each.
            let script = folder.url.appendingPathComponent("experiments/\(experiment.name).lua")
            let text = try String(contentsOf: script, encoding: .utf8)
                .replacingOccurrences(of: #"flag = "[a-z_]+""#, with: "flag = \"\(experiment.name.replacingOccurrences(of: "-", with: "_"))\"", options: .regularExpression)
            try text.write(to: script, atomically: true, encoding: .utf8)
        }
        #expect(try VerdictProcess.run(["ingest", "events.jsonl"] + Self.now, in: folder.url).status == 0)
        for experiment in experiments {
            let start = try VerdictProcess.run(
                ["start", experiment.name, "--at", "2026-11-02T07:00:00-06:00", "--accept-underpowered", "--force"] + Self.now, in: folder.url)
            #expect(start.status == 0, "\(experiment.name): \(start.error)")
        }
        return folder
    }

    /// The words that must never reach an owner.
    static func impossible(_ text: String) -> [String] {
        let patterns = [#"(?i)\bnan\b"#, #"(?i)\b-?inf(inity)?\b"#, "∞"]
        return patterns.filter { text.range(of: $0, options: .regularExpression) != nil }
    }

    @Test func noSurfaceShowsAnImpossibleNumber() async throws {
        let folder = try workspace()
        var surfaces: [(String, String)] = []
        func run(_ arguments: [String]) throws {
            let done = try VerdictProcess.run(arguments + Self.now, in: folder.url)
            #expect([0, 3].contains(done.status), "\(arguments): \(done.error)")
            surfaces.append((arguments.joined(separator: " "), done.output + done.error))
        }
        // Before the verdicts: the report, daily (with the safety checks) and the dashboard.
        try run(["report", "--all", "--from", "2026-11-02", "--to", "2026-11-08"])
        try run(["report", "--all", "--from", "2026-11-02", "--to", "2026-11-08", "--daily"])
        try run(["report", "--all", "--from", "2026-11-02", "--to", "2026-11-08", "--json", "--daily"])
        try run(["forecast", "one-ticket"])
        try run(["daily"])
        try run(["run-all"])
        try run(["status"])
        try run(["status", "--json"])
        try run(["report", "--all"])
        try run(["report", "--all", "--json"])
        try run(["dashboard"])
        let page = try String(contentsOf: folder.url.appendingPathComponent("dashboards/index.html"), encoding: .utf8)
        surfaces.append(("the dashboard", page))
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.url.appendingPathComponent("daily").path) {
            surfaces.append(("daily/\(file)", try String(contentsOf: folder.url.appendingPathComponent("daily/\(file)"), encoding: .utf8)))
        }
        // The server's JSON.
        let made = try VerdictProcess.run(["token", "create", "office", "--scope", "read"], in: folder.url)
        let token = String(made.output.split(separator: "\n").last ?? "")
        let server = try RunningServer(in: folder.url, environment: ["VERDICT_NOW": "2026-11-09T07:00:00-06:00"])
        for change in ["CHG-0001", "CHG-0002", "CHG-0003", "CHG-0004", "CHG-0005", "CHG-0006"] {
            let response = try await server.request("GET", "/v1/experiments/\(change)", headers: ["Authorization": "Bearer \(token)"])
            #expect(response.status == 200)
            surfaces.append(("GET /v1/experiments/\(change)", String(decoding: response.body, as: UTF8.self)))
        }
        let list = try await server.request("GET", "/v1/experiments", headers: ["Authorization": "Bearer \(token)"])
        surfaces.append(("GET /v1/experiments", String(decoding: list.body, as: UTF8.self)))
        _ = server.stop()

        for (surface, text) in surfaces {
            let found = Self.impossible(text)
            #expect(found.isEmpty, "\(surface) shows \(found):\n\(text.prefix(6000))")
        }
        if ProcessInfo.processInfo.environment["SHOW_SURFACES"] != nil { for (s, t) in surfaces { print("=== \(s)\n\(t)") } }
        // The dashboard's audit records are sentences, never raw JSON.
        #expect(!page.contains("<td>{&quot;"), "a raw audit record on the dashboard")
        #expect(page.contains("started although the forecast said the window cannot decide the rule"))
        // Money as money, limits in the KPI's unit, and reasons that say what is missing.
        let text = surfaces.first { $0.0 == "report --all --from 2026-11-02 --to 2026-11-08" }!.1
        #expect(text.contains("$305.00 (n 12)") && text.contains("$40.00 (n 1)"), "\(text)")
        #expect(text.contains("no events in either arm yet") && text.contains("no control events to compare with"), "\(text)")
        #expect(text.contains("(rule: no worse than 2 pp)") && !text.contains("the interval straddles"), "\(text)")
        // A figure that cannot exist is said, not shown as a number.
        let report = surfaces.first { $0.0.hasPrefix("report --all --from") }!.1
        #expect(report.contains("no control events to compare with") || report.contains("—"), "\(report)")
    }
}
