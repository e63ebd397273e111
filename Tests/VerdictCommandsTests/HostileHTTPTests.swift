import Foundation
import Testing
import VerdictTestSupport

/// `verdict serve` under hostile or careless clients: each is refused or survived with the
/// right status, nothing is stored, and the server stays up with its memory flat.
@Suite(.serialized) struct HostileHTTPTests {
    @Test func deepBodiesAreRefusedAndStoreNothing() async throws {
        let folder = try ServerTests.workspace()
        let website = try ServerTests.token("website", "ingest", in: folder)
        let server = try RunningServer(in: folder.url)
        defer { server.stop() }
        let before = try VerdictProcess.run(["events", "--json"], in: folder.url).output
        let deep = Data(String(repeating: "[", count: 100_000).utf8)
        let events = try await server.request("POST", "/v1/events", body: deep, headers: ["Authorization": "Bearer \(website)"])
        #expect(events.status == 400 && String(decoding: events.body, as: UTF8.self).contains("deeper"))
        let flag = try await server.request(
            "POST", "/ofrep/v1/evaluate/flags/book_now_button", body: Data(("{\"context\":" + String(repeating: "{\"a\":", count: 50_000)).utf8))
        #expect(flag.status == 400 && RunningServer.object(flag.body)["errorCode"] as? String == "PARSE_ERROR")
        #expect(try await server.request("GET", "/healthz").status == 200)
        #expect(try VerdictProcess.run(["events", "--json"], in: folder.url).output == before)
    }

    /// Sends `request` as raw bytes on a fresh connection; returns what came back within `wait` s
    /// (the connection is left open, so this also shows an answer that does not wait for a body).
    static func raw(_ request: String, port: Int, wait: Double = 1.5) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port); printf '%s' \"$REQUEST\" >&3; timeout -s KILL \(wait) cat <&3; true"]
        process.environment = ["REQUEST": request, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = try output.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// RFC 9112's Host rule, an over-long Content-Length refused before its body comes, JSON for
    /// unknown paths, and tokens written into a path kept out of the log.
    @Test func requestsRefusedBeforeAnyRouteAndTokensOutOfTheLog() async throws {
        let folder = try ServerTests.workspace()
        let server = try RunningServer(in: folder.url, ["--max-body", "4096"])
        let noHost = try Self.raw("GET /healthz HTTP/1.1\r\n\r\n", port: server.port)
        #expect(noHost.hasPrefix("HTTP/1.1 400") && noHost.contains("no Host header"), "\(noHost)")
        #expect(try Self.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 200"))
        // The body never comes: the 413 must not wait for it.
        let large = try Self.raw(
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n{", port: server.port)
        #expect(large.hasPrefix("HTTP/1.1 413") && large.contains("over the limit of 4096 bytes"), "\(large)")
        let missing = try await server.request("GET", "/v1/nothing-here")
        #expect(missing.status == 404 && missing.headers["content-type"] == "application/json")
        #expect(RunningServer.object(missing.body)["error"] as? String == "no endpoint serves GET /v1/nothing-here; see docs/server.md")
        let secret = "vdt_" + String(repeating: "ab12", count: 16)
        for path in ["/v1/events;token=\(secret)", "/v1/events%3Ftoken=\(secret)", "/x/\(secret)", "/v1/events%253Fapi_key=hunter2"] {
            _ = try await server.request("GET", path)
        }
        let log = server.stop()
        #expect(!log.contains(secret) && !log.contains("ab12ab12") && !log.contains("hunter2"), "\(log)")
        #expect(log.contains("path=/v1/events;token=REDACTED") && log.contains("path=/x/vdt_REDACTED"), "\(log)")
    }

    @Test func slowClientsDoNotHoldTheServer() async throws {
        let folder = try ServerTests.workspace()
        let server = try RunningServer(in: folder.url)
        defer { server.stop() }
        // Fifty connections that send half a request line and then nothing.
        let slow = Process()
        slow.executableURL = URL(fileURLWithPath: "/bin/bash")
        slow.arguments = ["-c", """
            for i in $(seq 50); do
              ( exec 3<>/dev/tcp/127.0.0.1/\(server.port); printf 'POST /v1/events HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100000\\r\\n\\r\\n{' >&3; sleep 8 ) &
            done
            wait
            """]
        try slow.run()
        try await Task.sleep(nanoseconds: 1_000_000_000)
        let started = Date()
        for _ in 0..<20 { #expect(try await server.request("GET", "/healthz").status == 200) }
        #expect(Date().timeIntervalSince(started) < 5, "the server answered slowly while slow clients held connections")
        slow.waitUntilExit()
        #expect(try await server.request("GET", "/healthz").status == 200)
    }

    /// Python's http.client in 100 threads, each on one kept-alive connection (Tests/Clients/flood.py).
    @Test(.enabled(if: BrowserCheck.python != nil, "python3 is not installed: the server is not flooded with 10,000 requests"))
    func tenThousandRequestsFromAHundredConnections() async throws {
        let folder = try ServerTests.workspace()
        let server = try RunningServer(in: folder.url, ["--rate-limit", "0"])
        defer { server.stop() }
        func flood(_ each: Int) throws -> String {
            let result = try VerdictProcess.run(
                program: BrowserCheck.python!, [Repository.file("Tests/Clients/flood.py").path, "\(server.port)", "100", "\(each)"],
                in: folder.url, environment: [:])
            #expect(result.status == 0, "\(result.error)")
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // A first thousand to warm up, then the memory it settles at.
        _ = try flood(10)
        let settled = server.residentKB
        #expect(try flood(100) == #"{"200": 10000}"#)
        let health = try await server.request("GET", "/healthz")
        #expect(server.isRunning && health.status == 200)
        let after = server.residentKB
        #expect(after < settled + 64 * 1024, "memory grew from \(settled) kB to \(after) kB over 10,000 requests")
        print("10,000 requests from 100 connections: all 200; resident memory \(settled) kB before, \(after) kB after")
    }
}
