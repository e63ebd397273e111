import Crypto
import Foundation
import Testing
import VerdictTestSupport

/// Webhooks into `verdict serve`: payloads shaped as Jobber, Housecall Pro, CallRail and Square
/// document them, signed here as each provider signs (independently of Verdict's own signing),
/// and every refusal: a bad or missing signature, a replay, a wrong URL, an unknown provider.
@Suite(.serialized) struct HookTests {
    static let now = "2026-11-05T15:00:00-06:00"
    static let nowSeconds = 1_793_912_400
    static let squareURL = "https://hooks.brightspark.example/v1/hooks/square"
    static let secrets = ["jobber": "jobber-client-secret", "housecall-pro": "hcp-signing-secret", "callrail": "callrail-key", "square": "square-signature-key"]

    /// A workspace with every hook set up, and its server.
    static func serve() throws -> (TemporaryFolder, RunningServer) {
        let folder = try TemporaryFolder()
        let environment = ["VERDICT_NOW": now]
        #expect(try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url).status == 0)
        for (provider, secret) in secrets {
            try folder.write(secret + "\n", to: "\(provider).secret")
            let added = try VerdictProcess.run(
                ["hook", "add", provider, "--secret-file", "\(provider).secret"] + (provider == "square" ? ["--url", squareURL] : []),
                in: folder.url, environment: environment)
            #expect(added.status == 0, "\(added.error)")
        }
        return (folder, try RunningServer(in: folder.url, environment: environment))
    }

    static func base64(_ mac: some MessageAuthenticationCode) -> String { Data(mac).base64EncodedString() }

    /// The headers each provider sends with `body`.
    static func signed(_ provider: String, _ body: String, secret: String? = nil, timestamp: Int = nowSeconds, url: String = squareURL) -> [String: String] {
        let key = SymmetricKey(data: Data((secret ?? secrets[provider]!).utf8))
        let data = Data(body.utf8)
        switch provider {
        case "jobber": return ["X-Jobber-Hmac-SHA256": base64(HMAC<SHA256>.authenticationCode(for: data, using: key))]
        case "housecall-pro":
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).".utf8) + data, using: key)
            return ["Api-Timestamp": "\(timestamp)", "Api-Signature": mac.map { String(format: "%02x", $0) }.joined()]
        case "callrail": return ["Signature": base64(HMAC<Insecure.SHA1>.authenticationCode(for: data, using: key))]
        default: return ["x-square-hmacsha256-signature": base64(HMAC<SHA256>.authenticationCode(for: Data(url.utf8) + data, using: key))]
        }
    }

    static func post(_ server: RunningServer, _ provider: String, _ body: String, headers: [String: String]) async throws -> (status: Int, answer: [String: Any]) {
        let answer = try await server.request("POST", "/v1/hooks/\(provider)", body: Data(body.utf8), headers: headers)
        return (answer.status, RunningServer.object(answer.body))
    }

    /// `verdict hook --json`, once no delivery is left to read (the server reads after answering).
    static func hooks(in folder: TemporaryFolder) throws -> [[String: Any]] {
        for _ in 0..<100 {
            let listed = try VerdictProcess.run(["hook", "--json"], in: folder.url)
            let hooks = (try? JSONSerialization.jsonObject(with: Data(listed.output.utf8))) as? [[String: Any]] ?? []
            let pending = hooks.flatMap { $0["deliveries"] as? [[String: Any]] ?? [] }.contains { $0["status"] as? String == "received" }
            if !pending { return hooks }
            usleep(100_000)
        }
        Issue.record("deliveries still unread after 10 s")
        return []
    }

    static func events(in folder: TemporaryFolder) throws -> [String: [String: Any]] {
        let listed = try VerdictProcess.run(["events", "--list", "--json", "--limit", "1000"], in: folder.url)
        let rows = (try? JSONSerialization.jsonObject(with: Data(listed.output.utf8))) as? [[String: Any]] ?? []
        return Dictionary(rows.compactMap { row in (row["event_id"] as? String).map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
    }

    static let jobberClosed = #"{"data":{"webHookEvent":{"topic":"JOB_CLOSED","appId":"app-1","accountId":"acct-7","itemId":"Z2lkOi8vSm9iYmVyL0pvYi81MjAx","occurredAt":"2026-11-05T14:30:00-06:00"}}}"#
    static let hcpCompleted = #"{"event":"job.completed","job":{"id":"job_9f2","invoice_number":"1001","customer":{"id":"cus_1","first_name":"Ann","last_name":"Lee","lead_source":"Google"},"address":{"zip":"60601"},"work_status":"complete unrated","work_timestamps":{"completed_at":"2026-11-05T16:30:00Z"},"schedule":{"scheduled_start":"2026-11-05T14:00:00Z"},"total_amount":32000}}"#
    static let callrailCall = #"{"id":"CAL8154748ae6bd4e278a7cddd38a662f4f","answered":true,"customer_phone_number":"+13125550100","tracking_phone_number":"+13125550199","duration":"125","start_time":"2026-11-05T09:12:00.000-06:00","lead_status":"good_lead","tags":["panel"],"value":null,"source":"Google Ads"}"#
    static let squareBooked = #"{"merchant_id":"ML1","type":"booking.created","event_id":"evt-1","created_at":"2026-11-05T15:10:00Z","data":{"type":"booking","id":"bk-1","object":{"booking":{"id":"bk-1","version":0,"status":"ACCEPTED","created_at":"2026-11-05T15:10:00Z","updated_at":"2026-11-05T15:10:00Z","start_at":"2026-11-09T15:00:00Z","location_id":"L1","customer_id":"CUST-9"}}}}"#
    static let squareNoShow = #"{"merchant_id":"ML1","type":"booking.updated","event_id":"evt-2","created_at":"2026-11-09T16:00:00Z","data":{"type":"booking","id":"bk-1","object":{"booking":{"id":"bk-1","version":2,"status":"NO_SHOW","created_at":"2026-11-05T15:10:00Z","updated_at":"2026-11-09T16:00:00Z","start_at":"2026-11-09T15:00:00Z","location_id":"L1","customer_id":"CUST-9"}}}}"#

    @Test func signedDeliveriesOfEveryProviderBecomeEvents() async throws {
        let (folder, server) = try Self.serve()
        defer { server.stop() }
        for (provider, body) in [
            ("jobber", Self.jobberClosed), ("housecall-pro", Self.hcpCompleted), ("callrail", Self.callrailCall),
            ("square", Self.squareBooked), ("square", Self.squareNoShow),
            // An app made before 2023-12-08 gets `occuredAt`; a topic without a mapping is kept and counted.
            ("jobber", #"{"data":{"webHookEvent":{"topic":"QUOTE_SENT","appId":"app-1","accountId":"acct-7","itemId":"Q-77","occuredAt":"2026-11-05T10:00:00-06:00"}}}"#),
            ("jobber", #"{"data":{"webHookEvent":{"topic":"CLIENT_CREATE","appId":"app-1","accountId":"acct-7","itemId":"C-1","occurredAt":"2026-11-05T10:00:00-06:00"}}}"#),
        ] {
            let sent = try await Self.post(server, provider, body, headers: Self.signed(provider, body))
            #expect(sent.status == 200 && sent.answer["status"] as? String == "received", "\(provider): \(sent)")
        }
        let hooks = try Self.hooks(in: folder)
        let jobber = try #require(hooks.first { $0["provider"] as? String == "jobber" })
        let counted = (jobber["deliveries"] as? [[String: Any]] ?? []).map { "\($0["topic"] ?? "") \($0["status"] ?? "") \($0["count"] ?? "")" }
        #expect(counted == ["CLIENT_CREATE unknown_topic 1", "JOB_CLOSED mapped 1", "QUOTE_SENT mapped 1"])
        #expect(jobber["secret_sha256_prefix"] as? String != nil && !"\(hooks)".contains("jobber-client-secret"), "never the secret")
        let events = try Self.events(in: folder)
        #expect(events["jobber-job-Z2lkOi8vSm9iYmVyL0pvYi81MjAx-completed"]?["event"] as? String == "job_completed")
        #expect(events["jobber-quote-Q-77-sent"]?["timestamp"] as? String == "2026-11-05T16:00:00Z")
        let completed = try #require(events["hcp-1001-job_completed"])
        #expect(completed["value"] as? Double == 320 && completed["user_id"] as? String == "Ann Lee" && completed["timestamp"] as? String == "2026-11-05T16:30:00Z")
        #expect(events["callrail-call-CAL8154748ae6bd4e278a7cddd38a662f4f-received"]?["user_id"] as? String == "+13125550100")
        #expect(events["callrail-call-CAL8154748ae6bd4e278a7cddd38a662f4f-answered"]?["event"] as? String == "call_answered")
        #expect(events["square-booking-bk-1-booked"]?["event"] as? String == "appointment_booked")
        #expect(events["square-booking-bk-1-no_show"]?["timestamp"] as? String == "2026-11-09T16:00:00Z")
        #expect(events.count == 7)
        // Adding a hook is on the audit trail, with the secret's fingerprint only.
        let audit = try VerdictProcess.run(["audit", "--json"], in: folder.url)
        #expect(audit.output.components(separatedBy: "\"hook-add\"").count == 5 && !audit.output.contains("square-signature-key"))
        let mode = try FileManager.default.attributesOfItem(atPath: folder.url.appendingPathComponent(".verdict/hooks.json").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func everyRefusalStoresNothing() async throws {
        let (folder, server) = try Self.serve()
        defer { server.stop() }
        let body = Self.hcpCompleted
        for (provider, headers, words) in [
            ("housecall-pro", Self.signed("housecall-pro", body, secret: "not-the-secret"), "does not match"),
            ("housecall-pro", [String: String](), "has no Api-Timestamp and Api-Signature header"),
            // Signed right, ten minutes ago: a replay.
            ("housecall-pro", Self.signed("housecall-pro", body, timestamp: Self.nowSeconds - 600), "beyond the 300 s allowed"),
            ("jobber", ["X-Jobber-Hmac-SHA256": "not base64!"], "is not base64"),
            ("jobber", Self.signed("jobber", body + " "), "does not match"),
            ("square", Self.signed("square", body, url: "https://elsewhere.example/v1/hooks/square"), "does not match"),
            ("callrail", ["Signature": Self.base64(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: Data("callrail-key".utf8))))], "does not match"),
        ] {
            let sent = try await Self.post(server, provider, body, headers: headers)
            #expect(sent.status == 401, "\(provider) \(headers): \(sent)")
            #expect((sent.answer["error"] as? String)?.contains(words) == true, "\(provider): \(sent.answer)")
        }
        let unknown = try await Self.post(server, "servicetitan", body, headers: [:])
        #expect(unknown.status == 404 && (unknown.answer["error"] as? String)?.contains("jobber, housecall-pro, callrail, square") == true)
        #expect(try VerdictProcess.run(["hook", "remove", "callrail"], in: folder.url).status == 0)
        let removed = try await Self.post(server, "callrail", Self.callrailCall, headers: Self.signed("callrail", Self.callrailCall))
        #expect(removed.status == 404 && (removed.answer["error"] as? String)?.contains("verdict hook add callrail") == true)
        let hooks = try Self.hooks(in: folder)
        #expect(hooks.allSatisfy { ($0["deliveries"] as? [Any])?.isEmpty == true }, "\(hooks)")
        #expect(try Self.events(in: folder).isEmpty)
        // A body over the server's limit is refused before anything else.
        let big = try await server.request("POST", "/v1/hooks/jobber", body: Data(repeating: 0x20, count: 11 * 1024 * 1024))
        #expect(big.status == 413)
    }

    @Test func redeliveriesAreStoredOnceAndUnreadablePayloadsAreQuarantined() async throws {
        let (folder, server) = try Self.serve()
        defer { server.stop() }
        let first = try await Self.post(server, "jobber", Self.jobberClosed, headers: Self.signed("jobber", Self.jobberClosed))
        let again = try await Self.post(server, "jobber", Self.jobberClosed, headers: Self.signed("jobber", Self.jobberClosed))
        #expect(first.status == 200 && again.status == 200 && again.answer["status"] as? String == "duplicate")
        #expect(again.answer["delivery"] as? String == first.answer["delivery"] as? String)
        // The same Jobber event in a body written differently: a delivery of its own, its event once.
        let reordered = #"{"data":{"webHookEvent":{"itemId":"Z2lkOi8vSm9iYmVyL0pvYi81MjAx","topic":"JOB_CLOSED","occurredAt":"2026-11-05T14:30:00-06:00","accountId":"acct-7","appId":"app-1"}}}"#
        #expect(try await Self.post(server, "jobber", reordered, headers: Self.signed("jobber", reordered)).status == 200)
        // What the mapping cannot read goes to quarantine with its reason, not lost.
        let noJob = #"{"event":"job.completed","customer":{"id":"cus_1"}}"#
        #expect(try await Self.post(server, "housecall-pro", noJob, headers: Self.signed("housecall-pro", noJob)).status == 200)
        let notJSON = "event=job.completed&id=1"
        #expect(try await Self.post(server, "housecall-pro", notJSON, headers: Self.signed("housecall-pro", notJSON)).status == 200)
        let hooks = try Self.hooks(in: folder)
        let hcp = try #require(hooks.first { $0["provider"] as? String == "housecall-pro" })
        #expect((hcp["deliveries"] as? [[String: Any]])?.map { "\($0["topic"] ?? "none") \($0["status"] ?? "")" } == ["none quarantined", "job.completed quarantined"])
        let events = try Self.events(in: folder)
        #expect(events.count == 1 && events["jobber-job-Z2lkOi8vSm9iYmVyL0pvYi81MjAx-completed"] != nil)
        let quarantine = try VerdictProcess.run(["quarantine"], in: folder.url)
        #expect(quarantine.output.contains("hooks/housecall-pro/3:1: the housecall_pro mapping failed on this delivery: the body has no job"), "\(quarantine.output)")
        #expect(quarantine.output.contains("hooks/housecall-pro/4:1: the delivery is not JSON"), "\(quarantine.output)")
        // A server started later reads what an earlier one stored and did not read: nothing twice.
        server.stop()
        let later = try RunningServer(in: folder.url, environment: ["VERDICT_NOW": Self.now])
        defer { later.stop() }
        #expect(try Self.events(in: folder).count == 1)
    }
}
