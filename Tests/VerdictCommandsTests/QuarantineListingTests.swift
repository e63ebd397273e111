import Foundation
import Testing
import VerdictTestSupport

/// A huge line in quarantine: listings show its start and say how much is left out, `--raw`
/// gives it whole, and later ingests do not parse it again (it is not compared with their rows).
@Suite struct QuarantineListingTests {
    @Test func aHugeRowIsShortenedInListingsAndWholeInRaw() throws {
        let folder = try TemporaryFolder()
        func verdict(_ arguments: [String]) throws -> ProcessResult {
            try VerdictProcess.run(arguments, in: folder.url, environment: ["VERDICT_NOW": "2026-11-04T07:00:00-06:00"])
        }
        #expect(try verdict(["init", "."]).status == 0)
        let huge = #"{"event":"quote_viewed","timestamp":"yesterday","note":""# + String(repeating: "x", count: 2_000_000) + #""}"#
        let good = #"{"event":"quote_viewed","timestamp":"2026-11-03T15:00:00Z","user_id":"u1"}"#
        try (huge + "\n" + good + "\n").write(to: folder.url.appendingPathComponent("big.jsonl"), atomically: true, encoding: .utf8)
        let first = try verdict(["ingest", "big.jsonl"])
        #expect(first.output.contains("1 stored"), "\(first.output)")

        let listed = try verdict(["quarantine"])
        #expect(listed.status == 0)
        #expect(listed.output.count < 1_000, "a listing of \(listed.output.count) characters")
        #expect(listed.output.contains("more characters: --raw gives the whole row"), "\(listed.output.prefix(500))")
        let csv = try verdict(["quarantine", "--csv"])
        #expect(csv.output.count < 1_000 && csv.output.contains("--raw gives the whole row"))
        #expect(try verdict(["quarantine", "--raw"]).output == huge + "\n")

        // A later ingest still works and stores its rows; the huge row stays quarantined.
        try (#"{"event":"quote_viewed","timestamp":"2026-11-03T16:00:00Z","user_id":"u2"}"# + "\n")
            .write(to: folder.url.appendingPathComponent("next.jsonl"), atomically: true, encoding: .utf8)
        let next = try verdict(["ingest", "next.jsonl"])
        #expect(next.status == 0 && next.output.contains("1 stored"), "\(next.output)")
        #expect(try verdict(["quarantine"]).output.hasPrefix("big.jsonl:1: "))
    }
}
