import Foundation
import Testing
import VerdictTestSupport

/// `verdict serve` over real HTTP: OFREP as open-feature/protocol's openapi.yaml has it, tokens
/// and their scopes, events in with ingest's validation, the reads, decisions as the token.
@Suite(.serialized) struct ServerTests {
    /// A workspace with the tutorial's example events and book-now started on 2 November.
    static func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for arguments in [
            ["init", ".", "--name", "Brightspark Electric", "--time-zone", "America/Chicago"],
            ["new", "book-now", "--template", "conversion", "--change-id", "CHG-0007"],
            ["ingest", Repository.file("experiments/examples/website-events.jsonl").path],
            ["start", "book-now", "--accept-underpowered", "--at", "2026-11-02T08:00:00-06:00", "--now", "2026-11-02T09:00:00-06:00"],
        ] {
            let result = try VerdictProcess.run(arguments, in: folder.url)
            #expect([0, 3].contains(result.status), "\(arguments): \(result.error)")
        }
        return folder
    }

    /// `data` gzipped by the system's gzip.
    static func gzip(_ data: Data, in folder: TemporaryFolder) throws -> Data {
        let file = folder.url.appendingPathComponent("body-\(UUID().uuidString)")
        try data.write(to: file)
        let done = try VerdictProcess.run(program: URL(fileURLWithPath: "/bin/gzip"), ["-n", file.path], in: folder.url, environment: [:])
        #expect(done.status == 0, "\(done.error)")
        return try Data(contentsOf: URL(fileURLWithPath: file.path + ".gz"))
    }

    static func token(_ name: String, _ scopes: String, in folder: TemporaryFolder) throws -> String {
        let made = try VerdictProcess.run(["token", "create", name, "--scope", scopes], in: folder.url)
        #expect(made.status == 0, "\(made.error)")
        return String(made.output.split(separator: "\n").last ?? "")
    }

    @Test func ofrepAnswersAsTheProtocolSays() async throws {
        let folder = try Self.workspace()
        let server = try RunningServer(in: folder.url, environment: ["VERDICT_NOW": "2026-11-04T09:00:00-06:00"])
        defer { server.stop() }
        // One flag, for a visitor of the targeted cohort: variant, reason, flat metadata.
        let body = Data(#"{"context":{"targetingKey":"visitor-1","cohort":"new_customer"}}"#.utf8)
        let one = try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body: body)
        #expect(one.status == 200 && one.headers["content-type"] == "application/json")
        let answer = RunningServer.object(one.body)
        #expect(["on", "off"].contains(answer["variant"] as? String) && answer["reason"] as? String == "SPLIT")
        #expect(answer["value"] is Bool && answer["key"] as? String == "book_now_button")
        let metadata = answer["metadata"] as? [String: Any] ?? [:]
        #expect(metadata["change_id"] as? String == "CHG-0007" && metadata["state"] as? String == "running" && metadata["flag"] as? String == "on")
        #expect((metadata["seal"] as? String)?.count == 64 && metadata.values.allSatisfy { !($0 is [Any]) && !($0 is [String: Any]) })
        // The same visitor, the same variant; no body and no Content-Type at all is accepted.
        let again = try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body: body)
        #expect(RunningServer.object(again.body)["variant"] as? String == answer["variant"] as? String)
        let bare = try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button")
        #expect(bare.status == 200 && RunningServer.object(bare.body)["variant"] as? String == "off")
        // Outside the cohort: the control, by default.
        let other = try await server.request(
            "POST", "/ofrep/v1/evaluate/flags/book_now_button", body: Data(#"{"context":{"targetingKey":"v","cohort":"returning"}}"#.utf8))
        #expect(RunningServer.object(other.body)["reason"] as? String == "DEFAULT")
        // Errors: 404 FLAG_NOT_FOUND, 400 with errorCode and errorDetails.
        let missing = try await server.request("POST", "/ofrep/v1/evaluate/flags/no_such_flag")
        #expect(missing.status == 404 && RunningServer.object(missing.body)["errorCode"] as? String == "FLAG_NOT_FOUND")
        let broken = try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body: Data("{".utf8))
        let failure = RunningServer.object(broken.body)
        #expect(broken.status == 400 && failure["errorCode"] as? String == "PARSE_ERROR" && failure["errorDetails"] is String)
        let badContext = try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body: Data(#"{"context":[1]}"#.utf8))
        #expect(badContext.status == 400 && RunningServer.object(badContext.body)["errorCode"] as? String == "INVALID_CONTEXT")
        // Bulk: every flag, an ETag, and 304 when it matches.
        let bulk = try await server.request("POST", "/ofrep/v1/evaluate/flags", body: body)
        let tag = try #require(bulk.headers["etag"])
        let flags = RunningServer.object(bulk.body)["flags"] as? [[String: Any]] ?? []
        #expect(bulk.status == 200 && flags.count == 1)
        // Each flag of the bulk answer is the single evaluation's answer for the same visitor.
        let sorted = { (object: Any) in try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }
        #expect(try flags.first.map(sorted) == sorted(answer), "\(flags) against \(answer)")
        let unchanged = try await server.request("POST", "/ofrep/v1/evaluate/flags", body: body, headers: ["If-None-Match": tag])
        #expect(unchanged.status == 304 && unchanged.body.isEmpty)
        let log = server.stop()
        #expect(log.contains("hb.request.id="), "every request's log line carries its id: \(log)")
    }

    /// `verdict assign`'s list is what the server answers the same customers over OFREP, under a
    /// throttle and with cohort targeting.
    @Test func theOfficesListIsTheServersAnswers() async throws {
        let folder = try Self.workspace()
        let now = ["VERDICT_NOW": "2026-11-04T09:00:00-06:00"]
        let throttled = try VerdictProcess.run(["flag", "CHG-0007", "throttle", "0.3"], in: folder.url, environment: now)
        #expect(throttled.status == 0, "\(throttled.error)")
        let rows = (0..<150).map { "cust-\($0),\($0 % 4 == 0 ? "returning" : "new_customer"),555-01\($0)" }
        try ("Customer,Segment,Phone\r\n" + rows.joined(separator: "\r\n") + "\r\n").write(
            to: folder.url.appendingPathComponent("customers.csv"), atomically: true, encoding: .utf8)
        let assigned = try VerdictProcess.run(
            ["assign", "CHG-0007", "customers.csv", "--cohort", "Segment", "--out", "list.csv"], in: folder.url, environment: now)
        #expect(assigned.status == 0 && assigned.error.contains("Recorded as list 1 on the audit trail"), "\(assigned.error)")
        let list = try String(contentsOf: folder.url.appendingPathComponent("list.csv"), encoding: .utf8)
            .split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(list.count == 150)
        let server = try RunningServer(in: folder.url, environment: now)
        defer { server.stop() }
        var treated = 0
        for row in list {
            let body = Data(#"{"context":{"targetingKey":"\#(row[0])","cohort":"\#(row[1])"}}"#.utf8)
            let answer = RunningServer.object(try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body: body).body)
            #expect(answer["variant"] as? String == row[4], "\(row[0]) in \(row[1])")
            if row[3] == "treatment" { treated += 1 }
        }
        // About 30% of the new customers, and none of the returning ones.
        #expect((20...50).contains(treated), "\(treated) treated")
    }

    /// The OpenFeature Python SDK with its OFREP provider, unchanged (Tests/Clients/ofrep_client_check.py).
    @Test(.enabled(if: BrowserCheck.python != nil, "python3 is not installed: the OpenFeature SDK is not run against verdict serve"))
    func theOpenFeatureSDKEvaluatesOurFlags() throws {
        let folder = try TemporaryFolder()
        let result = try BrowserCheck.run(script: "Tests/Clients/ofrep_client_check.py", [], in: folder.url)
        #expect(result.status == 0 && result.output.hasSuffix("ok\n"), "\(result.output)\n\(result.error)")
        #expect(result.output.contains("rolled back: reminder_text off for every visitor, reason DISABLED"), "\(result.output)")
    }

    @Test func tokensOpenWhatTheirScopesAllow() async throws {
        let folder = try Self.workspace()
        let reader = try Self.token("office", "read", in: folder)
        let website = try Self.token("website", "ingest", in: folder)
        let server = try RunningServer(in: folder.url)
        defer { server.stop() }
        #expect(try await server.request("GET", "/v1/status").status == 401)
        #expect(try await server.request("GET", "/v1/status", headers: ["Authorization": "Bearer vdt_wrong"]).status == 401)
        #expect(try await server.request("GET", "/v1/status", headers: ["Authorization": "Bearer \(website)"]).status == 403)
        let status = try await server.request("GET", "/v1/status", headers: ["Authorization": "Bearer \(reader)"])
        #expect(status.status == 200 && String(decoding: status.body, as: UTF8.self).contains("CHG-0007"))
        // The report is report --json's.
        let report = try await server.request("GET", "/v1/experiments/CHG-0007", headers: ["Authorization": "Bearer \(reader)"])
        let cli = try VerdictProcess.run(["report", "book-now", "--json"], in: folder.url)
        #expect(report.status == 200 && String(decoding: report.body, as: UTF8.self) == cli.output)
        #expect(try await server.request("GET", "/v1/experiments/CHG-9999", headers: ["Authorization": "Bearer \(reader)"]).status == 404)
        // A revoked token stops working (within the second the server keeps tokens for).
        #expect(try VerdictProcess.run(["token", "revoke", "office"], in: folder.url).status == 0)
        try await Task.sleep(nanoseconds: 1_200_000_000)
        #expect(try await server.request("GET", "/v1/status", headers: ["Authorization": "Bearer \(reader)"]).status == 401)
        // The store keeps only the secret's hash.
        let store = try String(decoding: Data(contentsOf: folder.url.appendingPathComponent(".verdict/verdict.sqlite")), as: UTF8.self)
        #expect(!store.contains(reader) && !store.contains(website))
    }

    @Test func eventsGoInAsIngestTakesThem() async throws {
        let folder = try Self.workspace()
        let website = try Self.token("website", "ingest", in: folder)
        let admin = try Self.token("owner", "admin,read", in: folder)
        let server = try RunningServer(in: folder.url, ["--max-body", "4096"])
        defer { server.stop() }
        let before = try VerdictProcess.run(["events", "--json"], in: folder.url).output
        let array = Data(#"[{"event":"quote_viewed","timestamp":"2026-11-03T16:00:00Z","user_id":"h1","user_cohort":"new_customer","change_id":"CHG-0007","version_flag":"on"},{"event":"quote_viewed","timestamp":"not a time"}]"#.utf8)
        let sent = try await server.request("POST", "/v1/events", body: array, headers: ["Authorization": "Bearer \(website)"])
        let answer = RunningServer.object(sent.body)
        #expect(sent.status == 200 && answer["stored"] as? Int == 1 && answer["quarantined"] as? Int == 1, "\(answer)")
        let sample = (answer["quarantine_sample"] as? [[String: Any]])?.first
        #expect(sample?["line"] as? Int == 2 && (sample?["reason"] as? String)?.contains("not a time") == true)
        // The same body again is recognised, and stores nothing twice.
        let twice = try await server.request("POST", "/v1/events", body: array, headers: ["Authorization": "Bearer \(website)"])
        #expect(RunningServer.object(twice.body)["stored"] as? Int == 0)
        // Gzip: unzipped and stored; one that unzips past the limit is refused as too large.
        let line = #"{"event":"quote_viewed","timestamp":"2026-11-03T17:00:00Z","user_id":"h2","change_id":"CHG-0007","version_flag":"off"}"#
        let zipped = try Self.gzip(Data((line + "\n").utf8), in: folder)
        let unzipped = try await server.request(
            "POST", "/v1/events", body: zipped, headers: ["Authorization": "Bearer \(website)", "Content-Encoding": "gzip"])
        #expect(unzipped.status == 200 && RunningServer.object(unzipped.body)["stored"] as? Int == 1, "\(String(decoding: unzipped.body, as: UTF8.self))")
        let bomb = try Self.gzip(Data(repeating: 0x20, count: 200_000), in: folder)
        #expect(bomb.count < 4096)
        let exploded = try await server.request("POST", "/v1/events", body: bomb, headers: ["Authorization": "Bearer \(website)", "Content-Encoding": "gzip"])
        #expect(exploded.status == 413)
        let notGzip = try await server.request(
            "POST", "/v1/events", body: Data(line.utf8), headers: ["Authorization": "Bearer \(website)", "Content-Encoding": "gzip"])
        #expect(notGzip.status == 400)
        let brotli = try await server.request("POST", "/v1/events", body: Data(line.utf8), headers: ["Authorization": "Bearer \(website)", "Content-Encoding": "br"])
        #expect(brotli.status == 415)
        // Too large: 413, and nothing stored.
        let large = try await server.request("POST", "/v1/events", body: Data(repeating: 0x20, count: 5000), headers: ["Authorization": "Bearer \(website)"])
        #expect(large.status == 413)
        // A body that cannot be read: 400, naming the line and column; nothing of it stored.
        let bad = try await server.request("POST", "/v1/events", body: Data("[{\"event\":".utf8), headers: ["Authorization": "Bearer \(website)"])
        #expect(bad.status == 400)
        let missingComma = Data("[\n\(line)\n\(line)\n]".utf8)
        let refused = try await server.request("POST", "/v1/events", body: missingComma, headers: ["Authorization": "Bearer \(website)"])
        #expect(refused.status == 400 && RunningServer.object(refused.body)["error"] as? String == "http:website:3:1: expected , or ] after an event")
        let csv = try await server.request(
            "POST", "/v1/events", body: Data("event,timestamp\nquote_viewed,2026-11-03\n".utf8), headers: ["Authorization": "Bearer \(website)"])
        #expect(csv.status == 400 && (RunningServer.object(csv.body)["error"] as? String)?.hasPrefix("http:website:1:1: expected JSON lines") == true)
        let after = try VerdictProcess.run(["events", "--json"], in: folder.url).output
        #expect(before != after)
        // The batch and the decision are on the trail under the tokens' names.
        let visitor = Data(#"{"context":{"targetingKey":"visitor-9","cohort":"new_customer"}}"#.utf8)
        let share = { () async throws -> Any? in
            let answer = try await server.request("POST", "/ofrep/v1/evaluate/flags/book_now_button", body: visitor)
            return (RunningServer.object(answer.body)["metadata"] as? [String: Any])?["share"]
        }
        #expect(try await share() as? Double == 0.5)
        let decided = try await server.request(
            "POST", "/v1/experiments/CHG-0007/flag", body: Data(#"{"action":"throttle","share":0.1}"#.utf8),
            headers: ["Authorization": "Bearer \(admin)"])
        #expect(decided.status == 200, "\(String(decoding: decided.body, as: UTF8.self))")
        // Flags are read again within a second: the answers follow the throttle.
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try await share() as? Double == 0.1)
        let trail = try VerdictProcess.run(["audit", "--csv"], in: folder.url).output
        #expect(trail.contains(",website,ingest,") && trail.contains(",owner,flag,"), "\(trail)")
        #expect(try await server.request("POST", "/v1/experiments/CHG-0007/flag", body: Data("{}".utf8), headers: ["Authorization": "Bearer \(website)"]).status == 403)
        // A beacon's token rides in the address; it opens /v1/events and stays out of the log.
        let beacon = try await server.request("POST", "/v1/events?token=\(website)", body: Data((line + "\n").utf8))
        #expect(beacon.status == 200)
        let log = server.stop()
        #expect(log.contains("path=/v1/events status=200") && !log.contains(website), "\(log)")
    }

    /// Many requests at once (grouped into fewer commits), some of them sent twice: each answer
    /// is its own batch, every event is stored once, and the trail verifies.
    @Test func concurrentRequestsAreEachStoredOnce() async throws {
        let folder = try Self.workspace()
        let website = try Self.token("website", "ingest", in: folder)
        let server = try RunningServer(in: folder.url, ["--rate-limit", "0"])
        defer { server.stop() }
        func body(_ request: Int) -> Data {
            Data((0..<40).map { event in
                #"{"event":"book_now_click","timestamp":"2026-11-03T16:\#(String(format: "%02d", request % 60)):00Z","user_id":"v\#(request)","change_id":"CHG-0007","version_flag":"on","event_id":"web-\#(request)-\#(event)"}"#
            }.joined(separator: "\n").utf8)
        }
        let before = try Self.eventCount(in: folder)
        // Per answer: stored, rows read, and whether it was the same body stored before.
        let answers = try await withThrowingTaskGroup(of: (Int, Int, Bool).self) { group in
            for request in 0..<36 {
                // Requests 30 to 35 repeat 0 to 5: a sender's retries.
                group.addTask {
                    let sent = try await server.request("POST", "/v1/events", body: body(request % 30), headers: ["Authorization": "Bearer \(website)"])
                    #expect(sent.status == 200)
                    let answer = RunningServer.object(sent.body)
                    return (answer["stored"] as? Int ?? -1, answer["rows_read"] as? Int ?? -1, answer["already_ingested"] is [String: Any])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.map(\.0).reduce(0, +) == 30 * 40)
        #expect(answers.allSatisfy { $0.1 == 40 || $0.2 } && answers.filter(\.2).count == 6)
        #expect(try Self.eventCount(in: folder) == before + 30 * 40)
        let verified = try VerdictProcess.run(["audit", "verify"], in: folder.url)
        #expect(verified.status == 0, "\(verified.output)\(verified.error)")
    }

    static func eventCount(in folder: TemporaryFolder) throws -> Int {
        let listed = try VerdictProcess.run(["events", "--json"], in: folder.url).output
        let rows = try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]]
        return rows?.first?["events"] as? Int ?? -1
    }

    @Test func theWebsitesOriginMayCallAndTooManyRequestsWait() async throws {
        let folder = try Self.workspace()
        let settings = folder.url.appendingPathComponent("verdict.lua")
        let text = try String(contentsOf: settings, encoding: .utf8)
        try text.replacingOccurrences(of: "return workspace {", with: """
            return workspace {
              server = { cors = { "https://www.brightspark.example" } },
            """).write(to: settings, atomically: true, encoding: .utf8)
        #expect(try VerdictProcess.run(["settings"], in: folder.url).status == 0)
        let server = try RunningServer(in: folder.url, ["--rate-limit", "8"])
        defer { server.stop() }
        let flag = "/ofrep/v1/evaluate/flags/book_now_button"
        let allowed = try await server.request("POST", flag, headers: ["Origin": "https://www.brightspark.example"])
        #expect(allowed.headers["access-control-allow-origin"] == "https://www.brightspark.example")
        let other = try await server.request("POST", flag, headers: ["Origin": "https://elsewhere.example"])
        #expect(other.status == 200 && other.headers["access-control-allow-origin"] == nil)
        let preflight = try await server.request(
            "OPTIONS", "/v1/events", headers: ["Origin": "https://www.brightspark.example", "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-headers"]?.contains("Authorization") == true)
        #expect(try await server.request("OPTIONS", "/v1/events", headers: ["Origin": "https://elsewhere.example"]).status == 403)
        // Eight a minute from this address: the ninth waits, told how long in whole seconds.
        var statuses: [Int] = []
        var retry: String?
        for _ in 0..<8 {  // the two cross-origin requests above count; the preflights do not
            let answer = try await server.request("POST", flag)
            statuses.append(answer.status)
            if answer.status == 429 { retry = answer.headers["retry-after"] }
        }
        #expect(statuses.suffix(2) == [429, 429], "\(statuses)")
        let seconds = try #require(retry.flatMap(Int.init))
        #expect((1...60).contains(seconds))
    }

    @Test func aBadOriginInTheSettingsIsNamed() throws {
        let folder = try TemporaryFolder()
        #expect(try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url).status == 0)
        let settings = folder.url.appendingPathComponent("verdict.lua")
        try String(contentsOf: settings, encoding: .utf8).replacingOccurrences(of: "return workspace {", with: """
            return workspace {
              server = { cors = { "https://www.brightspark.example/book" } },
            """).write(to: settings, atomically: true, encoding: .utf8)
        let result = try VerdictProcess.run(["serve", "--port", "0", "--stop-after", "5"], in: folder.url)
        #expect(result.status == 1 && result.error.contains("verdict.lua:4: server.cors[1]"), "\(result.error)")
        #expect(result.error.contains("is not an origin"))
    }

    /// SIGTERM: the request in flight is answered and its batch committed, then a clean exit.
    @Test func sigtermFinishesTheRequestInFlight() async throws {
        let folder = try Self.workspace()
        let website = try Self.token("website", "ingest", in: folder)
        func count() throws -> Int {
            let output = try VerdictProcess.run(["events", "--change", "CHG-0007", "--json"], in: folder.url).output
            return ((try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [[String: Any]])?.first?["events"] as? Int ?? -1
        }
        let before = try count()
        let server = try RunningServer(in: folder.url)
        // A batch big enough to be in flight when the signal comes: 20,000 events.
        var lines = ""
        for index in 0..<20_000 {
            lines += #"{"event":"quote_viewed","timestamp":"2026-11-03T16:00:00Z","user_id":"b\#(index)","change_id":"CHG-0007","version_flag":"on","event_id":"sig-\#(index)"}"# + "\n"
        }
        async let answer = server.request("POST", "/v1/events", body: Data(lines.utf8), headers: ["Authorization": "Bearer \(website)"])
        try await Task.sleep(nanoseconds: 150_000_000)
        kill(server.pid, SIGTERM)
        let response = try await answer
        _ = server.stop()
        #expect(response.status == 200 && RunningServer.object(response.body)["stored"] as? Int == 20_000, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(server.terminationStatus == 0)
        #expect(try count() == before + 20_000)
        #expect(try VerdictProcess.run(["audit", "verify"], in: folder.url).status == 0)
    }

    /// `--daily-at`: the morning run in the server's process, under the runs' lock and the
    /// server's clock, with the dashboard refreshed as `verdict daily` refreshes it.
    @Test func theMorningRunHappensInTheServer() async throws {
        let folder = try TemporaryFolder()
        #expect(try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url).status == 0)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let soon = utc.dateComponents([.hour, .minute, .second], from: Date().addingTimeInterval(3))
        let at = String(format: "%02d:%02d:%02d", soon.hour!, soon.minute!, soon.second!)
        // The server runs as of a fixed instant: the run is that day's, not the machine's.
        let server = try RunningServer(in: folder.url, ["--daily-at", at, "--now", "2026-11-09T07:00:00Z"])
        let summary = folder.url.appendingPathComponent("daily/2026-11-09.txt")
        let page = folder.url.appendingPathComponent("dashboards/2026-11-09.html")
        let index = folder.url.appendingPathComponent("dashboards/index.html")
        for _ in 0..<150 where !FileManager.default.fileExists(atPath: page.path) { try await Task.sleep(nanoseconds: 100_000_000) }
        let log = server.stop()
        #expect(FileManager.default.fileExists(atPath: summary.path), "\(log)")
        #expect(FileManager.default.fileExists(atPath: page.path) && FileManager.default.fileExists(atPath: index.path), "\(log)")
        #expect(log.contains("scheduled run") && log.contains("dashboard refreshed"), "\(log)")
        // cron's run for the same date finds it done.
        let again = try VerdictProcess.run(["daily", "--no-dashboard", "--now", "2026-11-09T07:05:00Z"], in: folder.url)
        #expect(again.status == 0 && again.output.contains("changed nothing") || again.output.contains("already"), "\(again.output)")
    }
}
