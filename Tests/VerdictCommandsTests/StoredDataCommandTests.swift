import Foundation
import Testing
import VerdictTestSupport

/// What is stored, as scripts read it: `events --list --json`, `batches`, `batch remove`,
/// `ingest --replace`, and the quarantine fix loop through standard input.
@Suite(.serialized) struct StoredDataCommandTests {
    func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let result = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        #expect(result.status == 0)
        return folder
    }

    @Test func eventsListJSONHasTypedValues() throws {
        let folder = try workspace()
        try folder.write(
            #"{"event":"job_completed","timestamp":"2026-11-02T14:15:00Z","change_id":"CHG-0007","value":675.89,"latency_ms":12,"props":{"crew":"crew-1","miles":3.5}}"# + "\n"
                + #"{"event":"quote_viewed","timestamp":"2026-11-03T05:00:00Z"}"# + "\n", to: "e.jsonl")
        _ = try VerdictProcess.run(["ingest", "e.jsonl"], in: folder.url)
        let result = try VerdictProcess.run(["events", "--list", "--json"], in: folder.url)
        #expect(result.status == 0, "\(result.error)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        let job = rows[0]
        #expect(job["value"] as? Double == 675.89)
        #expect(job["latency_ms"] as? Double == 12)
        #expect((job["props"] as? [String: Any])?["crew"] as? String == "crew-1")
        #expect((job["props"] as? [String: Any])?["miles"] as? Double == 3.5)
        #expect(job["timestamp"] as? String == "2026-11-02T14:15:00Z")
        #expect(job["local_time"] as? String == "2026-11-02T08:15:00-06:00")
        #expect(job["day"] as? String == "2026-11-02")
        let quote = rows[1]
        #expect(quote["value"] is NSNull && quote["props"] is NSNull && quote["user_id"] is NSNull)
        #expect(quote["change_id"] as? String == "none" && quote["change_source"] as? String == "none")
        #expect(job["change_source"] as? String == "event")
        // 05:00Z is still the 2nd in Chicago.
        #expect(quote["local_time"] as? String == "2026-11-02T23:00:00-06:00" && quote["day"] as? String == "2026-11-02")
        // Grouped counts: a missing group value is null, not "".
        let counts = try VerdictProcess.run(["events", "--by", "flag", "--json"], in: folder.url)
        let groups = try #require(try JSONSerialization.jsonObject(with: Data(counts.output.utf8)) as? [[String: Any]])
        #expect(groups.first?["flag"] is NSNull && groups.first?["events"] as? Int == 2)
    }

    @Test func batchesReplaceAndRemove() throws {
        let folder = try workspace()
        let header = "job_number,event,timestamp,change_id,value\n"
        try folder.write(header + "J-1,job_completed,2026-11-02T10:00:00-06:00,CHG-1,10\nJ-2,job_completed,2026-11-03T10:00:00-06:00,CHG-1,20\n", to: "jobs.csv")
        _ = try VerdictProcess.run(["ingest", "jobs.csv"], in: folder.url)
        try folder.write(header + "J-1,job_completed,2026-11-02T10:00:00-06:00,CHG-1,15\n", to: "jobs.csv")
        let replaced = try VerdictProcess.run(["ingest", "jobs.csv", "--replace"], in: folder.url)
        #expect(replaced.status == 0, "\(replaced.error)")
        #expect(replaced.output.contains("jobs.csv: replaces batch 1, whose 2 events are removed"))
        #expect(replaced.output.contains("jobs.csv: 1 stored (batch 2, csv)"))
        let listed = try VerdictProcess.run(["batches"], in: folder.url)
        #expect(listed.output.contains("replaced by 2"))
        #expect(listed.output.contains("in force"))
        let json = try JSONSerialization.jsonObject(with: Data(try VerdictProcess.run(["batches", "--json"], in: folder.url).output.utf8)) as? [[String: Any]]
        #expect(json?.map { $0["events_now"] as? Int } == [0, 1])
        let removed = try VerdictProcess.run(["batch", "remove", "2"], in: folder.url)
        #expect(removed.status == 0)
        #expect(removed.output == "Removed batch 2 (jobs.csv): 1 event deleted.\n")
        let again = try VerdictProcess.run(["batch", "remove", "2"], in: folder.url)
        #expect(again.status == 1 && again.error.contains("batch 2 was already removed"))
        let missing = try VerdictProcess.run(["batch", "remove", "7"], in: folder.url)
        #expect(missing.status == 1 && missing.error.contains("there is no batch 7"))
    }

    @Test func quarantineRawRoundTripsThroughStandardInput() throws {
        let folder = try workspace()
        try folder.write("event,timestamp,value,crew\njob_completed,5th Nov 2026 2:30 PM,310.00,crew-2\njob_completed,2026-11-04T10:00:00-06:00,20,crew-1\n", to: "jobs.csv")
        let first = try VerdictProcess.run(["ingest", "jobs.csv"], in: folder.url)
        #expect(first.status == 3)
        let raw = try VerdictProcess.run(["quarantine", "--raw"], in: folder.url)
        #expect(raw.output == "event,timestamp,value,crew\njob_completed,5th Nov 2026 2:30 PM,310.00,crew-2\n")
        let fixed = raw.output.replacingOccurrences(of: "5th Nov 2026 2:30 PM", with: "2026-11-05T14:30:00-06:00")
        let again = try VerdictProcess.run(["ingest", "-", "--format", "csv"], in: folder.url, input: fixed)
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output.contains("1 stored, 1 earlier quarantined row now stored"))
        let left = try VerdictProcess.run(["quarantine"], in: folder.url)
        #expect(left.output.hasPrefix("No quarantined rows to fix"))
        let all = try VerdictProcess.run(["quarantine", "--all"], in: folder.url)
        #expect(all.output.contains("(fixed by batch 2)"))
    }
}

/// What `check` and `init` tell a new user.
@Suite struct CheckAndInitWordingTests {
    @Test func checkWarnsAboutEventNamesTheStoreNeverSaw() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url)
        _ = try VerdictProcess.run(["new", "typo"], in: folder.url)
        // Before any event is stored nothing can be told.
        #expect(!(try VerdictProcess.run(["check", "typo"], in: folder.url).output.contains("warning")))
        try folder.write(
            #"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z"}"# + "\n"
                + #"{"event":"appointment_booked","timestamp":"2026-11-03T10:00:00Z"}"# + "\n", to: "e.jsonl")
        _ = try VerdictProcess.run(["ingest", "e.jsonl"], in: folder.url)
        let file = folder.url.appendingPathComponent("experiments/typo.lua")
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: #"to = "appointment_booked""#, with: #"to = "appointment_noshow""#)
            .write(to: file, atomically: true, encoding: .utf8)
        let check = try VerdictProcess.run(["check", "typo"], in: folder.url)
        #expect(check.status == 0)
        #expect(check.output.contains(#"warning: experiments/typo.lua: primary quote_viewed → appointment_noshow: there are no events named "appointment_noshow" (the closest stored names: appointment_booked"#))
        let json = try VerdictProcess.run(["check", "typo", "--json"], in: folder.url)
        #expect(json.output.contains("appointment_noshow"))
        let report = try VerdictProcess.run(["report", "typo", "--from", "2026-11-02"], in: folder.url)
        #expect(report.output.contains(#"verdict: INCONCLUSIVE — primary quote_viewed → appointment_noshow: there are no events named "appointment_noshow""#))
    }

    @Test func initSaysOnlyWhatExists() throws {
        let folder = try TemporaryFolder()
        let created = try VerdictProcess.run(["init", "shop", "--time-zone", "UTC"], in: folder.url)
        #expect(created.status == 0)
        for promise in ["audit", "dashboard"] {
            #expect(!created.output.lowercased().contains(promise), "init promises \(promise)")
        }
        // The README's dashboard is a command that exists, with the screenshot it shows.
        let readme = try String(contentsOf: Repository.file("README.md"), encoding: .utf8)
        #expect(readme.contains("$ verdict dashboard"))
        #expect(try VerdictProcess.run(["dashboard", "--help"], in: folder.url).status == 0)
        #expect(FileManager.default.fileExists(atPath: Repository.file("docs/images/dashboard.png").path))
    }
}
