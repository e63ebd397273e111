import Foundation
import Testing
import VerdictTestSupport

/// The second half of `make demo`: six weeks of Brightspark Electric, run as it is shipped.
@Suite struct SixWeekDemoTests {
    @Test func theStoryRunsToItsEnd() throws {
        let folder = try TemporaryFolder()
        let result = try VerdictProcess.run(
            program: URL(fileURLWithPath: "/bin/bash"), [Repository.file("experiments/examples/six-weeks.sh").path], in: folder.url,
            environment: [
                "VERDICT": try VerdictProcess.executable.path, "DEMO_DIR": folder.url.path, "NO_COLOR": "1",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ])
        #expect(result.status == 0, "\(result.error)")
        let output = result.output
        #expect(output.contains("ACTION: 48h check: booking_submit error rate past its limit (+0.5 pp)"))
        #expect(output.contains("rolled back: the flag is off (breach 2)"))
        #expect(output.contains("CHG-0101  pass     keep"))
        #expect(output.contains("CHG-0102  fail     rollback"))
        #expect(output.contains("CHG-0103  inconclusive  keep (done)"))
        #expect(output.contains("The audit trail is intact: 39 records, 21 batches checked, 3 verdicts reproduced"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.appendingPathComponent("weeks/daily").path).count == 42)
    }
}
