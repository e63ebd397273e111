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
