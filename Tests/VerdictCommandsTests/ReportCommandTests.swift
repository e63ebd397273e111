import Foundation
import Testing
import VerdictTestSupport

/// `verdict report` as a user runs it on the bundled example data.
@Suite struct ReportCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func reportOnTheExampleData() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        let data = Self.repository.appendingPathComponent("experiments/examples/website-events.jsonl").path
        #expect(try VerdictProcess.run(["ingest", data], in: folder.url).status == 3)  // it has two bad rows
        _ = try VerdictProcess.run(["new", "book-now"], in: folder.url)
        let file = folder.url.appendingPathComponent("experiments/book-now.lua")
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "CHG-0001", with: "CHG-0007")
            .write(to: file, atomically: true, encoding: .utf8)

        let text = try VerdictProcess.run(["report", "book-now", "--from", "2026-11-02"], in: folder.url)
        #expect(text.status == 0, "\(text.error)")
        #expect(text.output.contains("2026-11-02 .. 2026-11-08"))
        #expect(text.output.contains("verdict: INCONCLUSIVE — sample "))
        #expect(text.output.contains("recommendation: KEEP — the chance it beats control is"))
        // Each row's intervals, p-value and chance come from one named distribution; counts say what per day means.
        #expect(text.output.contains("intervals, p-value and chance, each KPI's from one distribution: Beta posteriors (uniform prior) for quote_viewed → appointment_booked"))
        #expect(text.output.contains("counts: what each arm counted, then (scaled) a day at full traffic"))
        #expect(text.output.contains("(as designed: a mismatch needs p < 0.001)"))
        let daily = try VerdictProcess.run(["report", "book-now", "--from", "2026-11-02", "--daily"], in: folder.url)
        // 7 clicks counted in the half of the traffic that sees the button: 14 a day scaled to all of it.
        #expect(daily.output.contains("2026-11-02  0 (0.0/day scaled)  7 (14.0/day scaled)"), "\(daily.output)")
        let forecast = try VerdictProcess.run(["forecast", "book-now", "--now", "2026-11-09T07:00:00-06:00"], in: folder.url)
        #expect(forecast.output.contains("per day: all traffic, as the report's counts per day at full traffic"))

        let json = try VerdictProcess.run(["report", "book-now", "--from", "2026-11-02", "--to", "2026-11-08", "--json"], in: folder.url)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(report["change_id"] as? String == "CHG-0007")
        #expect((report["window"] as? [String: Any])?["to"] as? String == "2026-11-08")
        let verdict = try #require(report["verdict"] as? [String: Any])
        #expect(["pass", "fail", "inconclusive"].contains(verdict["outcome"] as? String ?? ""))
        #expect(((report["srm"] as? [String: Any])?["p_value"] as? Double).map { $0 >= 0 && $0 <= 1 } == true)
        let kpis = try #require(report["kpis"] as? [[String: Any]])
        #expect(kpis.map { $0["role"] as? String } == ["primary", "leading", "guardrail"])
        let primary = kpis[0]
        let arms = try #require(primary["arms"] as? [String: [String: Any]])
        #expect((arms["control"]?["n"] as? Int ?? 0) > 50 && (arms["treatment"]?["n"] as? Int ?? 0) > 50)
        let difference = try #require(primary["difference"] as? [String: Any])
        for field in ["absolute", "relative", "ci_low", "ci_high"] { #expect(difference[field] is Double, "difference.\(field)") }
        #expect(primary["p_value"] is Double && primary["mde"] is Double)
        #expect(primary["rule_holds"] != nil)

        let badDate = try VerdictProcess.run(["report", "book-now", "--from", "11/02/2026"], in: folder.url)
        #expect(badDate.status == 64)
    }

    /// `--all` reports every experiment in one run, in name order; one that cannot load is named
    /// on standard error and the others are still reported.
    /// A name with no script is said to be missing (with the nearest name), not "not started".
    @Test func aMissingScriptIsNamedAsMissing() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        _ = try VerdictProcess.run(["new", "book-now"], in: folder.url)
        let typo = try VerdictProcess.run(["report", "book-nwo"], in: folder.url)
        #expect(typo.status != 0)
        #expect(typo.error.contains("there is no experiment experiments/book-nwo.lua; did you mean 'book-now'?"), "\(typo.error)")
        #expect(!typo.error.contains("has not been started"))
        let unstarted = try VerdictProcess.run(["report", "book-now"], in: folder.url)
        #expect(unstarted.error.contains("experiments/book-now.lua has not been started"), "\(unstarted.error)")
    }

    @Test func reportEveryExperiment() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        let data = Self.repository.appendingPathComponent("experiments/examples/website-events.jsonl").path
        _ = try VerdictProcess.run(["ingest", data], in: folder.url)
        for (name, change) in [("a-book-now", "CHG-0007"), ("b-reminders", "CHG-0008")] {
            _ = try VerdictProcess.run(["new", name], in: folder.url)
            let file = folder.url.appendingPathComponent("experiments/\(name).lua")
            try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "CHG-0001", with: change)
                .replacingOccurrences(of: "CHG-0002", with: change).write(to: file, atomically: true, encoding: .utf8)
        }
        let one = try VerdictProcess.run(["report", "a-book-now", "--from", "2026-11-02", "--json"], in: folder.url)
        let all = try VerdictProcess.run(["report", "--all", "--from", "2026-11-02", "--json"], in: folder.url)
        #expect(all.status == 0, "\(all.error)")
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(all.output.utf8)) as? [[String: Any]])
        #expect(reports.map { $0["change_id"] as? String } == ["CHG-0007", "CHG-0008"])
        // The same figures as the experiment's report on its own.
        let alone = try #require(try JSONSerialization.jsonObject(with: Data(one.output.utf8)) as? [String: Any])
        #expect(NSDictionary(dictionary: alone).isEqual(to: reports[0]))

        try "return experiment { change_id = ".write(
            to: folder.url.appendingPathComponent("experiments/c-broken.lua"), atomically: true, encoding: .utf8)
        let text = try VerdictProcess.run(["report", "--all", "--from", "2026-11-02"], in: folder.url)
        #expect(text.status == 1)
        #expect(text.error.contains("experiments/c-broken.lua"))
        #expect(text.output.components(separatedBy: "verdict: ").count == 3)
        #expect(try VerdictProcess.run(["report", "--from", "2026-11-02"], in: folder.url).status == 64)
        #expect(try VerdictProcess.run(["report", "a-book-now", "--all", "--from", "2026-11-02"], in: folder.url).status == 64)
    }
}

/// docs/report-json.md and `report --json` name the same fields.
@Suite struct ReportJSONDocumentationTests {
    static func keys(of value: Any) -> Set<String> {
        if let object = value as? [String: Any] {
            return object.reduce(into: Set(object.keys)) { $0.formUnion(keys(of: $1.value)) }
        }
        if let array = value as? [Any] { return array.reduce(into: Set<String>()) { $0.formUnion(keys(of: $1)) } }
        return []
    }

    @Test func everyFieldIsDocumentedAndEveryDocumentedFieldExists() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        _ = try VerdictProcess.run(["ingest", Repository.file("experiments/examples/website-events.jsonl").path], in: folder.url)
        _ = try VerdictProcess.run(["new", "book-now", "--change-id", "CHG-0007"], in: folder.url)
        // Two cohorts, so that the per-cohort figures are there too.
        let script = folder.url.appendingPathComponent("experiments/book-now.lua")
        try String(contentsOf: script, encoding: .utf8).replacingOccurrences(of: #"{ "new_customer" }"#, with: #"{ "new_customer", "returning" }"#)
            .write(to: script, atomically: true, encoding: .utf8)
        // Jobs with values in both arms, so that what keeping is worth is there; started, so that
        // its timeline is.
        var jobs: [String] = []
        for index in 0..<20 {
            let arm = index % 2 == 0 ? "off" : "on"
            jobs.append(
                #"{"event":"job_completed","timestamp":"2026-11-0\#(3 + index % 5)T18:00:00Z","user_id":"job-\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"\#(arm)","value":\#(200 + index * 15)}"#)
        }
        try (jobs.joined(separator: "\n") + "\n").write(to: folder.url.appendingPathComponent("jobs.jsonl"), atomically: true, encoding: .utf8)
        #expect(try VerdictProcess.run(["ingest", "jobs.jsonl"], in: folder.url).status == 0)
        let now = ["--now", "2026-11-09T07:00:00-06:00"]
        let started = try VerdictProcess.run(["start", "book-now", "--at", "2026-11-02T07:00:00-06:00", "--accept-underpowered"] + now, in: folder.url)
        #expect(started.status == 0, "\(started.error)")
        let json = try VerdictProcess.run(["report", "book-now", "--json", "--daily"] + now, in: folder.url)
        #expect(json.status == 0, "\(json.error)")
        let produced = Self.keys(of: try JSONSerialization.jsonObject(with: Data(json.output.utf8)))

        let documentation = try String(contentsOf: Repository.file("docs/report-json.md"), encoding: .utf8)
        var documented = Set<String>()
        for line in documentation.split(separator: "\n") where line.hasPrefix("| `") {
            let field = line.split(separator: "|")[0]
            for part in field.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) { documented.insert(String(part)) }
        }
        #expect(produced.subtracting(documented).isEmpty, "undocumented: \(produced.subtracting(documented).sorted())")
        #expect(documented.subtracting(produced).isEmpty, "documented but not produced: \(documented.subtracting(produced).sorted())")
    }
}

/// `verdict forecast --json` on the example data.
@Suite struct ForecastCommandTests {
    @Test func forecastJSON() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        _ = try VerdictProcess.run(["ingest", Repository.file("experiments/examples/website-events.jsonl").path], in: folder.url)
        _ = try VerdictProcess.run(["new", "book-now", "--change-id", "CHG-0007"], in: folder.url)
        let result = try VerdictProcess.run(["forecast", "book-now", "--json", "--now", "2026-11-09T07:00:00-06:00"], in: folder.url)
        #expect(result.status == 0, "\(result.error)")
        let forecast = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(forecast["change_id"] as? String == "CHG-0007" && forecast["window_days"] as? Int == 7)
        // The example data begins on 2 November: 7 days of history, not 28.
        let history = try #require(forecast["history"] as? [String: Any])
        #expect(history["from"] as? String == "2026-11-02" && history["to"] as? String == "2026-11-08")
        #expect(history["days"] as? Int == 7 && history["requested_days"] as? Int == 28)
        #expect((forecast["note"] as? String)?.hasPrefix("only 7 days of history") == true)
        #expect((forecast["conclusion"] as? String)?.hasPrefix("7 days cannot decide this rule") == true)
        let kpis = try #require(forecast["kpis"] as? [[String: Any]])
        #expect(kpis.map { $0["role"] as? String } == ["primary", "leading", "guardrail"])
        #expect((kpis[0]["per_arm"] as? Double).map { abs($0 - 82.6) < 1 } == true)
        #expect(kpis[0]["mde"] is Double && kpis[0]["days_for_rule"] is Double)
        #expect(kpis[2]["baseline"] is NSNull)  // no booking_submit events: nothing to compute
    }
}
