import Foundation
import Testing
import VerdictTestSupport

/// `verdict ingest` as processes: exit codes, a kill in the middle, concurrent readers and writers.
@Suite(.serialized) struct IngestCommandTests {
    static func events(_ count: Int, from start: Int = 0, tag: String = "e") -> String {
        var text = ""
        text.reserveCapacity(count * 200)
        for index in start..<(start + count) {
            text += #"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z","change_id":"CHG-0007","user_id":"cust-\#(index % 997)","event_id":"\#(tag)-\#(index)","latency_ms":\#(index % 500)}"# + "\n"
        }
        return text
    }

    func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let result = try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url)
        #expect(result.status == 0)
        return folder
    }

    func count(_ folder: TemporaryFolder) throws -> Int {
        let result = try VerdictProcess.run(["events", "--json"], in: folder.url)
        let rows = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]]
        return rows?.first?["events"] as? Int ?? -1
    }

    @Test func exitCodesAndSummary() throws {
        let folder = try workspace()
        try folder.write(Self.events(3), to: "good.jsonl")
        try folder.write(Self.events(2) + "{not json}\n", to: "mixed.jsonl")
        let good = try VerdictProcess.run(["ingest", "good.jsonl"], in: folder.url)
        #expect(good.status == 0)
        #expect(good.output == "good.jsonl: 3 stored (batch 1, jsonl)\n")
        let mixed = try VerdictProcess.run(["ingest", "mixed.jsonl", "--json"], in: folder.url)
        #expect(mixed.status == 3)
        let summary = try JSONSerialization.jsonObject(with: Data(mixed.output.utf8)) as? [String: Any]
        let batch = (summary?["batches"] as? [[String: Any]])?.first
        #expect(batch?["duplicates"] as? Int == 2)
        #expect(batch?["quarantined"] as? Int == 1)
        let again = try VerdictProcess.run(["ingest", "good.jsonl"], in: folder.url)
        #expect(again.status == 0)
        #expect(again.output.contains("already ingested as batch 1"))
        let missing = try VerdictProcess.run(["ingest", "missing.jsonl", "good.jsonl"], in: folder.url)
        #expect(missing.status == 1)
        #expect(missing.error == "error: missing.jsonl: no such file\n")
        let piped = try VerdictProcess.run(["ingest", "-"], in: folder.url, input: Self.events(2, from: 100))
        #expect(piped.status == 0)
        #expect(piped.output == "-: 2 stored (batch 3, jsonl)\n")
        let quarantine = try VerdictProcess.run(["quarantine", "--raw"], in: folder.url)
        #expect(quarantine.output == "{not json}\n")
    }

    /// SIGKILL in the middle of a batch leaves it absent; running the command again stores it whole.
    @Test func killedIngestLeavesNothingAndRerunCompletes() throws {
        let folder = try workspace()
        let total = 400_000
        try folder.write(Self.events(5) , to: "first.jsonl")
        #expect(try VerdictProcess.run(["ingest", "first.jsonl"], in: folder.url).status == 0)
        try folder.write(Self.events(total, from: 1000, tag: "big"), to: "big.jsonl")

        let process = Process()
        process.executableURL = try VerdictProcess.executable
        process.arguments = ["ingest", "big.jsonl"]
        process.currentDirectoryURL = folder.url
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it is writing (the WAL grows), then kill it without warning.
        let wal = folder.url.appendingPathComponent(".verdict/verdict.sqlite-wal").path
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? NSNumber)?.intValue ?? 0
            if size > 4_000_000 { break }
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        #expect(try count(folder) == 5)
        let batches = try VerdictProcess.run(["ingest", "big.jsonl"], in: folder.url)
        #expect(batches.status == 0, "\(batches.error)")
        #expect(batches.output == "big.jsonl: \(total) stored (batch 2, jsonl)\n")
        #expect(try count(folder) == total + 5)
    }

    /// Two ingests and a reader at once: no "database is locked", every row stored once.
    @Test func concurrentIngestsAndReads() throws {
        let folder = try workspace()
        try folder.write(Self.events(60_000, tag: "a"), to: "a.jsonl")
        try folder.write(Self.events(60_000, tag: "b"), to: "b.jsonl")
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var items: [ProcessResult] = []
            func add(_ result: ProcessResult) { lock.withLock { items.append(result) } }
        }
        let results = Results()
        let group = DispatchGroup()
        for name in ["a.jsonl", "b.jsonl"] {
            DispatchQueue.global().async(group: group) {
                if let result = try? VerdictProcess.run(["ingest", name], in: folder.url) { results.add(result) }
            }
        }
        DispatchQueue.global().async(group: group) {
            for _ in 0..<10 {
                if let result = try? VerdictProcess.run(["events", "--by", "change"], in: folder.url) { results.add(result) }
            }
        }
        group.wait()
        #expect(results.items.count == 12)
        for result in results.items {
            #expect(result.status == 0, "\(result.error)")
            #expect(!result.error.contains("locked"))
        }
        #expect(try count(folder) == 120_000)
    }
}
