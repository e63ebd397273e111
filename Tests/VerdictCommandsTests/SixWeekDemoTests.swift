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
        #expect(output.contains("The audit trail is intact: 103 records, 83 batches checked, 3 verdicts reproduced"), "\(output)")
        // The kept Book-now button degrades in week 4: its watch throttles it, then rolls it back.
        #expect(output.contains("throttled to 10% (first breach since it was kept)"))
        #expect(output.contains("rolled back: the flag is off, a reversal of the keep (breach 2 since it was kept)"))
        #expect(output.contains("CHG-0101  reversed  verdict pass"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.appendingPathComponent("weeks/daily").path).count == 42)
        // It ends with its dashboard: a page for each morning, and the last one's path.
        let page = folder.url.appendingPathComponent("weeks/dashboards/index.html")
        #expect(output.contains("Its dashboard: \(page.path)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.appendingPathComponent("weeks/dashboards").path).count == 44)

        // The page in a browser; its screenshot is the README's (VERDICT_UPDATE_SCREENSHOT=1
        // writes docs/images/dashboard.png, else it goes to .build/ for a look).
        guard BrowserCheck.python != nil, BrowserCheck.missingBrowser == nil else {
            print("SKIPPED: the six-week dashboard in a browser needs python3, chromium and chromium-driver (make setup)")
            return
        }
        let checked = try BrowserCheck.run(["--page", page.path], in: folder.url)
        #expect(checked.status == 0, "\(checked.output)\n\(checked.error)")
        #expect(checked.output.contains("CHG-0104 Online payment when booking ROLLED BACK by its safety checks"), "\(checked.output)")
        // The morning of 17 November: one change running, three decided (the README's picture).
        let update = ProcessInfo.processInfo.environment["VERDICT_UPDATE_SCREENSHOT"] == "1"
        let screenshot = Repository.file(update ? "docs/images/dashboard.png" : ".build/dashboard-six-weeks.png")
        let morning = folder.url.appendingPathComponent("weeks/dashboards/2026-11-17.html")
        let pictured = try BrowserCheck.run(["--page", morning.path, "--screenshot", screenshot.path], in: folder.url)
        #expect(pictured.status == 0, "\(pictured.output)\n\(pictured.error)")
        #expect(pictured.output.contains("CHG-0103 Follow-up call after a quote running day 2 of 7"), "\(pictured.output)")
    }
}
