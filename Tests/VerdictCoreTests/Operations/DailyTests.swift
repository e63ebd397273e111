import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// `daily`: the safety checks at their hours throttle and then roll back through the flag, once;
/// missed days are caught up in order; a quiet day is a finding; the summary is written and sent.
@Suite struct DailyTests {
    /// The conversion template (error-rate guardrail, at most +0.5 pp) started 2 November at
    /// 07:00 Chicago; each day 100 booking submits an arm, with `errors(day)` errors in the
    /// treatment and 1 in the control, and some clicks.
    func setUp(errors: (Int) -> Int, days: ClosedRange<Int> = 2...8, webhook: String? = nil) throws -> (IngestFixture, StartTests) {
        let tests = StartTests()
        let fixture = try tests.setUp()
        if let webhook {
            let settings = fixture.workspace.root.appendingPathComponent("verdict.lua")
            let text = try String(contentsOf: settings, encoding: .utf8)
            try text.replacingOccurrences(of: "return workspace {", with: "return workspace {\n  webhook = \"\(webhook)\",")
                .write(to: settings, atomically: true, encoding: .utf8)
        }
        let fresh = try Workspace(root: fixture.workspace.root, library: fixture.workspace.library)
        try Lifecycle(workspace: fresh, clock: FixedClock(iso8601: "2026-11-02T07:00:00-06:00")!, actor: "dana").start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), acceptUnderpowered: true)
        var rows: [String] = []
        for day in days {
            let date = String(format: "2026-11-%02d", day)
            for index in 0..<100 {
                for arm in ["off", "on"] {
                    let failed = arm == "on" ? index < errors(day) : index < 1
                    rows.append(
                        #"{"event":"booking_submit","timestamp":"\#(date)T20:00:00Z","user_id":"\#(arm)-\#(day)-\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"\#(arm)","status":"\#(failed ? "error:timeout" : "success")"}"#)
                }
                if index < 10 {
                    rows.append(#"{"event":"book_now_click","timestamp":"\#(date)T20:00:00Z","user_id":"on-\#(day)-\#(index)","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on","status":"success"}"#)
                }
            }
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "events.jsonl")
        return (fixture, tests)
    }

    func daily(_ fixture: IngestFixture, _ date: String) throws -> DailySummary {
        let workspace = try Workspace(root: fixture.workspace.root, library: fixture.workspace.library)
        return try Daily(workspace: workspace, clock: FixedClock(iso8601: "\(date)T07:30:00-06:00")!, actor: "dana")
            .run(date: LocalDay(date)!, lockWait: 0.2)
    }

    func status(_ fixture: IngestFixture) throws -> ExperimentStatus {
        try Lifecycle(workspace: fixture.workspace, clock: StartTests.now, actor: "x").status(of: "CHG-0007")
    }

    /// Run the day it starts, daily says it started and when its first check is due, not that
    /// no experiment is running.
    @Test func onTheDayOfItsStartAnExperimentIsNamed() throws {
        let (fixture, _) = try setUp(errors: { _ in 0 }, days: 2...2)
        let monday = try daily(fixture, "2026-11-02")
        #expect(monday.experiments.isEmpty && monday.failures.isEmpty)
        #expect(monday.starting.map(\.changeID) == ["CHG-0007"])
        #expect(!monday.text.contains("no experiment is running"))
        #expect(monday.text.contains("CHG-0007 "))
        #expect(monday.text.contains("started, day 1 is 2026-11-02; its first safety check is at 2026-11-03T07:00:00-06:00."))
        #expect(try daily(fixture, "2026-11-03").starting.isEmpty)
    }

    @Test func aBreachThrottlesThenASecondRollsBack() throws {
        let (fixture, _) = try setUp(errors: { _ in 12 })
        let trail = try AuditTrail(workspace: fixture.workspace)
        // The 3rd: the 24-hour check sees the 2nd: 12% errors against 1%, past the +0.5 pp limit.
        let tuesday = try daily(fixture, "2026-11-03")
        let experiment = try #require(tuesday.experiments.first)
        #expect(experiment.checks.map(\.status) == ["breach", "scheduled", "scheduled"])
        // Newcombe's 90% interval of 12/100 against 1/100, as statsmodels gives it: [0.0549, 0.1742].
        #expect(experiment.actions == ["24h check: booking_submit error rate past its limit (+0.5 pp): +11 pp [+5.49 pp, +17.42 pp]; throttled to 10% (first breach)"])
        #expect(try status(fixture).state == .throttled && status(fixture).flag?.share == 0.1)
        let flags = try String(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"), encoding: .utf8)
        #expect(flags.contains(#""state": "throttled""#) && flags.contains(#""share": 0.1"#))
        let breach = try #require(try trail.records().last)
        #expect(breach.action == "safety-breach" && breach.actor == "daily" && breach.details.contains(#""action":"throttle""#))
        #expect(breach.details.contains(#""kpi":"booking_submit error rate""#) && breach.details.contains(#""to":{"share":0.1,"state":"throttled"}"#))
        #expect(tuesday.text.contains("ACTION: 24h check: booking_submit error rate past its limit (+0.5 pp)"))

        // The 4th: the 48-hour check breaches again: rolled back.
        let wednesday = try daily(fixture, "2026-11-04")
        #expect(wednesday.experiments.first?.checks.map(\.status) == ["breach", "breach", "scheduled"])
        #expect(wednesday.experiments.first?.actions.first?.hasSuffix("rolled back: the flag is off (breach 2)") == true)
        #expect(try status(fixture).state == .rolledBack && status(fixture).flag?.state == .off)
        #expect(try trail.records().filter { $0.action == "safety-breach" }.count == 2)

        // Again for the 4th: nothing changes, and it says so; the rolled-back change is no longer checked.
        let again = try daily(fixture, "2026-11-04")
        #expect(again.alreadyRanAt != nil && again.experiments.isEmpty)
        #expect(try trail.records().filter { $0.action == "safety-breach" }.count == 2)
        #expect(try trail.verify().isIntact)
    }

    /// Three days off, then one run: the checks are done in order, each on the days it would have seen.
    @Test func missedDaysAreCaughtUpInOrder() throws {
        let (fixture, _) = try setUp(errors: { _ in 12 })
        let summary = try daily(fixture, "2026-11-06")
        #expect(summary.experiments.first?.checks.map(\.status) == ["breach", "breach", "scheduled"])
        let checks = try fixture.workspace.openStore().safetyChecks(changeID: "CHG-0007")
        #expect(checks.map(\.day) == [LocalDay("2026-11-03")!.number, LocalDay("2026-11-04")!.number])
        #expect(checks.map(\.action) == ["throttle", "rollback"])
        #expect(try status(fixture).state == .rolledBack)
    }

    @Test func withinTheLimitIsOKAndFewEventsWait() throws {
        // 1 error in 100 in both arms: within the limit.
        let (fixture, _) = try setUp(errors: { _ in 1 })
        // The 4th twice: the second run has only the 72-hour check left, due tomorrow.
        #expect(try daily(fixture, "2026-11-04").experiments.first?.checks.map(\.status) == ["ok", "ok", "scheduled"])
        let repeated = try daily(fixture, "2026-11-04")
        #expect(repeated.alreadyRanAt != nil && repeated.experiments.first?.checks.map(\.now) == [false, false, false])
        let summary = try daily(fixture, "2026-11-05")
        #expect(summary.experiments.first?.checks.map(\.status) == ["ok", "ok", "ok"])
        #expect(try status(fixture).state == .running && summary.experiments.first?.actions.isEmpty == true)
        #expect(try AuditTrail(workspace: fixture.workspace).records().filter { $0.action == "safety-breach" }.isEmpty)
        // The leading indicator, day by day, per arm.
        let leading = try #require(summary.experiments.first?.leading)
        #expect(leading.map(\.day) == ["2026-11-02", "2026-11-03", "2026-11-04"])
        #expect(leading.allSatisfy { $0.treatment.n == 10 && $0.control.n == 0 }, "\(leading.map { ($0.day, $0.control.n, $0.treatment.n) })")

        // With min_events above what a day brings, a check waits and says for how many.
        let (few, tests) = try (setUp(errors: { _ in 12 }, days: 2...2))
        _ = tests
        let quiet = try daily(few, "2026-11-09")
        let experiment = try #require(quiet.experiments.first)
        #expect(experiment.checks.first?.status == "breach")  // 200 events on the 2nd are enough
        // The store's history (stamped with the change) stops on the 6th: from the 7th, no events is a finding.
        #expect(experiment.noEventsSince == "Sat 2026-11-07")
        #expect(quiet.text.contains("NO EVENTS since Sat 2026-11-07"))
    }

    @Test func theSummaryIsWrittenAndSentToTheWebhook() throws {
        let receiver = try WebhookReceiver()
        let (fixture, _) = try setUp(errors: { _ in 1 }, webhook: "http://127.0.0.1:\(receiver.port)/hook")
        let summary = try daily(fixture, "2026-11-03")
        #expect(summary.webhook == "sent")
        #expect(summary.file == "daily/2026-11-03.txt")
        let written = try String(contentsOf: fixture.workspace.root.appendingPathComponent("daily/2026-11-03.txt"), encoding: .utf8)
        #expect(written == summary.text && written.hasPrefix("Verdict daily for 2026-11-03:"))
        let request = try #require(receiver.received())
        #expect(request.hasPrefix("POST /hook HTTP/1.1"))
        let body = try #require(request.components(separatedBy: "\r\n\r\n").last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(json["text"] == summary.text)
    }

    @Test func anUnreachableWebhookIsAFindingNotAFailure() throws {
        let (fixture, _) = try setUp(errors: { _ in 1 }, webhook: "http://127.0.0.1:9/hook")
        let summary = try daily(fixture, "2026-11-03")
        #expect(summary.webhook?.hasPrefix("not sent") == true && summary.failures.isEmpty)
    }
}

/// A local HTTP receiver for one request: it answers 200 and keeps what it was sent.
final class WebhookReceiver: @unchecked Sendable {
    let port: UInt16
    private let socket: Int32
    private var request: String?
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        guard bound == 0, listen(listener, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        socket = listener
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in serve() }.start()
    }

    private func serve() {
        let client = accept(socket, nil, nil)
        guard client >= 0 else {
            done.signal()
            return
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Read the head, then as many body bytes as Content-Length says.
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            let text = String(decoding: data, as: UTF8.self)
            if let split = text.range(of: "\r\n\r\n") {
                let head = text[..<split.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text.utf8.distance(from: text.startIndex, to: split.upperBound) >= length { break }
            }
        }
        request = String(decoding: data, as: UTF8.self)
        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
        _ = answer.withCString { send(client, $0, strlen($0), 0) }
        close(client)
        close(socket)
        done.signal()
    }

    /// The request, once it came (waits up to 10 s).
    func received() -> String? {
        _ = done.wait(timeout: .now() + 10)
        return request
    }
}
