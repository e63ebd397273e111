import Foundation
import Testing
import VerdictTestSupport
@testable import VerdictCore

/// The Python of docs/audit.md, run as an auditor would on a real store: it must recompute the
/// chain's head and every batch and verdict digest the trail holds. Needs python3 (its standard
/// library only); without it the test is skipped and says so.
@Suite struct AuditDocumentationScriptTests {
    static let python: URL? = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
        .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// The ```python blocks of docs/audit.md, in order.
    static func scripts() throws -> String {
        let text = try String(contentsOf: Repository.file("docs/audit.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```python" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(String(line))
            }
        }
        return blocks.joined(separator: "\n\n")
    }

    @Test(.enabled(if: python != nil, "python3 is not installed: the script of docs/audit.md is not run"))
    func theDocumentedScriptVerifiesARealTrail() throws {
        let (fixture, tests) = try RecordedVerdictTests().started()
        try tests.lifecycle(fixture).decide("CHG-0007", .extend)
        let trail = try AuditTrail(workspace: fixture.workspace)
        let head = try #require(try trail.head())
        let check = try Self.scripts() + """


            import json
            checked = 0
            for action, details in db.execute("SELECT action, details FROM audit ORDER BY seq"):
                details = json.loads(details)
                if action == "ingest":
                    assert batch_digest(db, details["batch"]) == details["digest"], f"batch {details['batch']}"
                    checked += 1
                if action == "verdict":
                    window = details["window"]
                    found = window_digest(db, "CHG-0007", window["from"], details.get("outcomes_through", window["to"]))
                    assert found == details["digest"], f"verdict digest {found}"
                    checked += 1
            print(f"checked {checked}")
            """
        let process = Process()
        process.executableURL = Self.python
        process.arguments = ["-c", check]
        process.currentDirectoryURL = fixture.workspace.root
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let failed = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(failed)")
        // The head it prints, then the two ingests and the verdict it checked.
        #expect(printed == "\(head.seq):\(head.hash)\nchecked 3\n", "\(failed)")
    }
}
