import Foundation
import Testing
import VerdictTestSupport

/// `verdict start` racing other writers, each its own process: ingests of files whose events
/// name no change, a server taking batches over HTTP, and a batch removal. Whatever the order in
/// which they take the write lock, every stored event in the change's span ends up stamped with
/// it, and the trail verifies.
@Suite(.serialized) struct RacingStartTests {
    static let files = 6
    static let rowsPerFile = 5_000
    static let requests = 20
    static let rowsPerRequest = 100

    static func row(_ file: String, _ index: Int) -> String {
        // 3 November, inside the window of a start on 2 November; all for the targeted cohort.
        let time = String(format: "2026-11-03T%02d:%02d:%02dZ", 10 + index / 3600 % 10, index / 60 % 60, index % 60)
        return #"{"event":"quote_viewed","timestamp":"\#(time)","user_id":"\#(file)-\#(index)","user_cohort":"new_customer"}"#
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.withLock { messages.append(message) } }
        var all: [String] { lock.withLock { messages } }
    }

    @Test func everyUnlabelledEventIsStampedWhateverTheInterleaving() async throws {
        let folder = try TemporaryFolder()
        let now = ["VERDICT_NOW": "2026-11-04T07:00:00-06:00"]
        @Sendable func run(_ arguments: [String]) throws -> ProcessResult {
            try VerdictProcess.run(arguments, in: folder.url, environment: now)
        }
        #expect(try run(["init", ".", "--time-zone", "America/Chicago"]).status == 0)
        #expect(try run(["new", "book-now", "--change-id", "CHG-0001"]).status == 0)
        for file in 0..<Self.files {
            let rows = (0..<Self.rowsPerFile).map { Self.row("f\(file)", $0) }
            try folder.write(rows.joined(separator: "\n") + "\n", to: "part\(file).jsonl")
        }
        try folder.write((0..<500).map { Self.row("early", $0) }.joined(separator: "\n") + "\n", to: "early.jsonl")
        #expect(try run(["ingest", "early.jsonl"]).status == 0)  // batch 1, removed during the race
        let made = try run(["token", "create", "website", "--scope", "ingest"])
        let token = try #require(made.output.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("vdt_") })
        let server = try RunningServer(in: folder.url, ["--stop-after", "900"], environment: now)
        defer { _ = server.stop() }

        let failures = Failures()
        var threads: [Thread] = []
        func launch(after delay: Double, _ arguments: [String]) {
            let thread = Thread {
                usleep(useconds_t(delay * 1_000_000))
                do {
                    let result = try run(arguments)
                    if result.status != 0 { failures.add("\(arguments): \(result.status) \(result.error)") }
                } catch {
                    failures.add("\(arguments): \(error)")
                }
            }
            threads.append(thread)
        }
        for file in 0..<Self.files { launch(after: 0.02 * Double(file), ["ingest", "part\(file).jsonl"]) }
        launch(after: 0.25, ["start", "book-now", "--at", "2026-11-02T07:00:00-06:00", "--accept-underpowered"])
        launch(after: 0.15, ["batch", "remove", "1"])
        for thread in threads { thread.start() }
        // Server batches before, during and after the start.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for request in 0..<Self.requests {
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(request) * 30_000_000)
                    let body = (0..<Self.rowsPerRequest).map { Self.row("http\(request)", $0) }.joined(separator: "\n")
                    return try await server.request(
                        "POST", "/v1/events", body: Data(body.utf8),
                        headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/x-ndjson"]
                    ).status
                }
            }
            for try await status in group { #expect(status == 200) }
        }
        while threads.contains(where: { !$0.isFinished }) { usleep(10_000) }
        #expect(failures.all.isEmpty, "\(failures.all)")

        let counted = try run(["events", "--by", "change,source", "--json"])
        let groups = try #require(try JSONSerialization.jsonObject(with: Data(counted.output.utf8)) as? [[String: Any]])
        let expected = Self.files * Self.rowsPerFile + Self.requests * Self.rowsPerRequest
        let stamped = groups.first { $0["change"] as? String == "CHG-0001" && $0["source"] as? String == "timeline" }
        #expect(stamped?["events"] as? Int == expected, "\(groups)")
        #expect(groups.count == 1, "every event is stamped with CHG-0001: \(groups)")
        #expect(try run(["audit", "verify"]).status == 0)
    }
}
