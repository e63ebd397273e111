import Foundation
import Synchronization
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// Events over the network: a body's shapes (`EventBody`), several bodies in one transaction
/// (`Ingester.ingest(bodies:)`), and the group commit of concurrent requests (`EventIntake`).
@Suite struct EventIntakeTests {
    static func line(_ id: Int, _ event: String = "quote_viewed") -> String {
        #"{"event":"\#(event)","timestamp":"2026-11-03T10:00:00Z","change_id":"CHG-0001","user_id":"c\#(id)","event_id":"e\#(id)"}"#
    }

    static func lines(_ text: String) throws -> String {
        String(decoding: try EventBody.lines(Data(text.utf8), source: "http:web"), as: UTF8.self)
    }

    static func refusal(_ text: String) -> String? {
        do {
            _ = try EventBody.lines(Data(text.utf8), source: "http:web")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func anArrayBecomesALinePerEventAsSent() throws {
        // Pretty-printed over several lines, numbers exactly as sent, strings with brackets and commas.
        let array = """
            [
              {"event": "a", "value": 1.10, "props": {"note": "[x], {y}"}},
              {"event": "b",
               "value": 2e3}
            ]
            """
        #expect(try Self.lines(array) == """
            {"event": "a", "value": 1.10, "props": {"note": "[x], {y}"}}
            {"event": "b",    "value": 2e3}

            """)
        #expect(try Self.lines("[]") == "" && Self.lines("  \n") == "")
        // An element that is not an object is still its line, for the pipeline to quarantine.
        #expect(try Self.lines(#"[1, "two", {"event":"c"}]"#) == "1\n\"two\"\n{\"event\":\"c\"}\n")
        // JSON lines are taken as they are.
        #expect(try Self.lines("{\"event\":\"a\"}\nnot json\n") == "{\"event\":\"a\"}\nnot json\n")
    }

    @Test func aBodyThatCannotBeReadIsRefusedNamingTheLine() {
        #expect(Self.refusal("event,timestamp\na,2026-11-03\n") == "http:web:1:1: expected JSON lines (an object per line) or a JSON array of events")
        #expect(Self.refusal("[\n {\"event\":\"a\"}\n {\"event\":\"b\"}\n]") == "http:web:3:2: expected , or ] after an event")
        #expect(Self.refusal("[{\"event\":\"a\"},\n{\"event\":\"b\"}") == "http:web:2:14: the array is not closed (a ] is missing)")
        #expect(Self.refusal("[{\"event\":\"a\"}] trailing") == "http:web:1:17: text after the array's closing ]")
        #expect(Self.refusal("[{\"event\":\"a\"},]") == "http:web:1:16: a comma after the last event: remove the , before this ] (JSON allows no trailing comma)")
        #expect(Self.refusal("[{\"event\":\"a\"},\n  ]") == "http:web:2:3: a comma after the last event: remove the , before this ] (JSON allows no trailing comma)")
        #expect(Self.refusal("[,{\"event\":\"a\"}]") == "http:web:1:2: expected an event before this ,")
        #expect(Self.refusal("[{\"event\":\"a\n\"}]") == "http:web:1:13: a string is not closed before the line ends")
        let deep = "[" + String(repeating: "[", count: 17) + String(repeating: "]", count: 18)
        #expect(Self.refusal(deep)?.hasSuffix("nests deeper than an event may (16 levels inside the array)") == true)
    }

    @Test func bodiesInOneTransactionAreBatchesAsIfOneAfterAnother() throws {
        let fixture = try IngestFixture()
        let first = (1...3).map { Self.line($0) }.joined(separator: "\n") + "\n"
        let overlapping = (3...5).map { Self.line($0) }.joined(separator: "\n") + "\n"
        let results = try fixture.ingester.ingest(bodies: [
            .init(body: Data(first.utf8), source: "http:web", actor: "web"),
            .init(body: Data(first.utf8), source: "http:web", actor: "web"),  // a retry in the same group
            .init(body: Data("oops".utf8), source: "http:web", actor: "web"),
            .init(body: Data(overlapping.utf8), source: "http:office", actor: "office"),
            .init(body: Data((Self.line(6) + "\n{\"event\":\n").utf8), source: "http:web", actor: "web"),
        ])
        let reports = results.map { try? $0.get() }
        #expect(reports[0]?.outcome == IngestOutcome(batchID: 1, rowsRead: 3, stored: 3, duplicates: 0, quarantined: 0))
        #expect(reports[1]?.outcome.alreadyIngested?.batchID == 1 && reports[1]?.outcome.stored == 0)
        #expect(reports[2] == nil)
        if case .failure(let error) = results[2] { #expect("\(error)".hasPrefix("http:web:1:1: expected JSON lines")) }
        // The next batch gets the next id: the refused body and the repeat left none behind.
        #expect(reports[3]?.outcome == IngestOutcome(batchID: 2, rowsRead: 3, stored: 2, duplicates: 1, quarantined: 0))
        #expect(reports[4]?.outcome == IngestOutcome(batchID: 3, rowsRead: 2, stored: 1, duplicates: 0, quarantined: 1))
        #expect(reports[4]?.quarantined.first?.line == 2)
        #expect(try fixture.store.count(EventFilter()) == 6)
        // Each batch has its record under its sender's name, and the trail verifies.
        let trail = try AuditTrail(workspace: fixture.workspace).records().filter { $0.action == "ingest" }
        #expect(trail.map(\.actor) == ["web", "office", "web"])
        let verification = try AuditTrail(workspace: fixture.workspace).verify()
        #expect(verification.isIntact, "\(verification.findings)")
    }

    @Test func requestsThatArriveDuringACommitShareTheNext() async throws {
        let fixture = try IngestFixture()
        let release = DispatchSemaphore(value: 0)
        let groups = Mutex<[Int]>([])
        let intake = try EventIntake(
            workspace: fixture.workspace, clock: FixedClock(iso8601: "2026-11-05T07:00:00-06:00")!, groupBytes: 1 << 20,
            beforeWriting: { bodies in
                let first = groups.withLock { groups in
                    groups.append(bodies)
                    return groups.count == 1
                }
                if first { release.wait() }
            })
        func send(_ request: Int) async throws -> IngestReport {
            let body = (0..<25).map { Self.line(request * 25 + $0) }.joined(separator: "\n") + "\n"
            return try await intake.ingest(.init(body: Data(body.utf8), source: "http:web", actor: "web"))
        }
        let reports = try await withThrowingTaskGroup(of: IngestReport.self) { tasks in
            // One request, its commit held; then 39 that arrive meanwhile.
            tasks.addTask { try await send(0) }
            while groups.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
            for request in 1..<40 { tasks.addTask { try await send(request) } }
            while intake.waiting < 39 { try await Task.sleep(for: .milliseconds(5)) }
            release.signal()
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.count == 40 && reports.allSatisfy { $0.outcome.stored == 25 })
        #expect(Set(reports.compactMap(\.outcome.batchID)).count == 40)
        #expect(groups.withLock { $0 } == [1, 39] && intake.commits == 2)
        #expect(try fixture.store.count(EventFilter()) == 1000)
        let verification = try AuditTrail(workspace: fixture.workspace).verify()
        #expect(verification.isIntact, "\(verification.findings)")
    }
}
