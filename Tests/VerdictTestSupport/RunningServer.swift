import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `verdict serve` started for a test on 127.0.0.1 and a free port. It stops when the test
/// calls `stop()`, and by itself after ten minutes whatever happens to the test. (Two minutes was
/// too short: on a busy two-core machine a test waiting for the cooperative pool reached its
/// first request after its server had already stopped itself.)
public final class RunningServer: @unchecked Sendable {
    public let port: Int
    let process: Process
    /// Its log (standard error), to a file: a pipe nobody reads would fill and stall it.
    let log: URL

    /// Starts `verdict serve --port 0 extra...` in `directory` and waits for it to listen.
    public init(in directory: URL, _ extra: [String] = [], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = try VerdictProcess.executable
        process.arguments = ["serve", "--port", "0", "--stop-after", "600"] + extra
        process.currentDirectoryURL = directory
        var base = ProcessInfo.processInfo.environment
        base.removeValue(forKey: "VERDICT_WORKSPACE")
        process.environment = base.merging(environment) { _, new in new }
        let output = Pipe()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-serve-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        var seen = Data()
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { usleep(20_000); continue }
            seen.append(chunk)
            let text = String(decoding: seen, as: UTF8.self)
            if let match = text.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\//) { found = Int(match.output.1) }
        }
        guard let found else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "verdict serve did not start: \(String(decoding: seen, as: UTF8.self))"])
        }
        port = found
    }

    /// SIGTERM, then waits for the server to finish; returns what it logged.
    @discardableResult
    public func stop() -> String {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: log) }
        return (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    public var terminationStatus: Int32 { process.terminationStatus }

    public var isRunning: Bool { process.isRunning }

    public var pid: Int32 { process.processIdentifier }

    /// The server's resident memory, in kB (Linux's /proc).
    public var residentKB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// One request; the status, the headers (lower-cased names) and the body.
    public func request(
        _ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, headers: [String: String], body: Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            // Say whether the server was still there, and what it logged, so a failure explains itself.
            let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey:
                "\(method) \(path): \(error.localizedDescription); the server is \(process.isRunning ? "running" : "gone (status \(process.terminationStatus))"); its log: \(logged.suffix(2000))"])
        }
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return (http.statusCode, fields, data)
    }

    /// The body as a JSON object.
    public static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}
