import Foundation

/// What a run of the `verdict` executable did.
public struct ProcessResult: Sendable {
    /// The exit status.
    public var status: Int32
    /// Everything written to standard output.
    public var output: String
    /// Everything written to standard error.
    public var error: String
}

/// Runs the `verdict` executable built next to the test bundle, as a user would.
public enum VerdictProcess {
    /// The built `verdict` binary: `swift test` builds it into the same folder as the tests.
    public static var executable: URL {
        get throws {
            var folder = Bundle.main.bundleURL
            for _ in 0..<3 {
                let candidate = folder.appendingPathComponent("verdict")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                folder.deleteLastPathComponent()
            }
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the verdict binary was not built next to the tests"])
        }
    }

    /// Runs `verdict arguments...` in `directory` with `environment` added to a clean one.
    public static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], input: String? = nil
    ) throws -> ProcessResult {
        var base = ProcessInfo.processInfo.environment
        base.removeValue(forKey: "VERDICT_WORKSPACE")
        base["NO_COLOR"] = "1"
        return try run(program: try executable, arguments, in: directory, environment: base.merging(environment) { _, new in new }, input: input)
    }

    /// Runs `program arguments...` in `directory` with exactly `environment`.
    public static func run(
        program: URL, _ arguments: [String], in directory: URL, environment: [String: String], input: String? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        // Read both pipes before waiting, so a full pipe cannot stall the child.
        let collected = Collected()
        let reader = Thread { collected.data = (try? output.fileHandleForReading.readToEnd()) ?? Data() }
        reader.start()
        let errorData = try error.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        while !collected.isDone { usleep(1000) }
        return ProcessResult(
            status: process.terminationStatus,
            output: String(decoding: collected.data, as: UTF8.self),
            error: String(decoding: errorData, as: UTF8.self))
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data?

    var data: Data {
        get { lock.withLock { stored ?? Data() } }
        set { lock.withLock { stored = newValue } }
    }

    var isDone: Bool { lock.withLock { stored != nil } }
}
