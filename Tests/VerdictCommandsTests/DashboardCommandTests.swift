import Foundation
import Testing
import VerdictTestSupport

/// `verdict dashboard`: where it writes, what it prints, and what it refuses.
@Suite struct DashboardCommandTests {
    func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let created = try VerdictProcess.run(["init", ".", "--name", "Brightspark Electric", "--time-zone", "America/Chicago"], in: folder.url)
        #expect(created.status == 0, "\(created.error)")
        return folder
    }

    @Test func itWritesTheDatedPageAndTheIndexAndPrintsBoth() throws {
        let folder = try workspace()
        let result = try VerdictProcess.run(["dashboard", "--now", "2026-11-10T06:00:00-06:00"], in: folder.url)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "dashboards/2026-11-10.html\ndashboards/index.html\n")
        let page = try String(contentsOf: folder.url.appendingPathComponent("dashboards/index.html"), encoding: .utf8)
        #expect(page.contains("<title>Brightspark Electric: changes on 2026-11-10</title>"))
        #expect(page.contains("refreshed <time>2026-11-10 06:00 "))
        #expect(page == (try String(contentsOf: folder.url.appendingPathComponent("dashboards/2026-11-10.html"), encoding: .utf8)))
        // Nothing started: the page says how to start, and the trail is empty.
        #expect(page.contains("No change has started yet") && page.contains("<code id=\"audit-head\">empty</code>"))
    }

    @Test func outAndDateChooseTheFileAndTheDay() throws {
        let folder = try workspace()
        let out = folder.url.appendingPathComponent("elsewhere/today.html").path
        let result = try VerdictProcess.run(["dashboard", "--out", out, "--date", "2026-11-03"], in: folder.url)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == out + "\n")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("Direct-to-consumer jobs, 2026-10-27 to 2026-11-02"))
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("dashboards").path))
    }

    @Test func badInputIsRefusedWithItsReason() throws {
        let folder = try workspace()
        let date = try VerdictProcess.run(["dashboard", "--date", "2026-13-01"], in: folder.url)
        #expect(date.status == 64 && date.error.contains(#"--date: "2026-13-01" is not a date such as 2026-11-10"#), "\(date.error)")
        try "not a folder".write(to: folder.url.appendingPathComponent("blocked"), atomically: true, encoding: .utf8)
        let out = try VerdictProcess.run(["dashboard", "--out", folder.url.appendingPathComponent("blocked/page.html").path], in: folder.url)
        #expect(out.status == 1 && out.error.contains("cannot write"), "\(out.error)")
        let outside = try TemporaryFolder()
        let nowhere = try VerdictProcess.run(["dashboard"], in: outside.url)
        #expect(nowhere.status == 1 && nowhere.error.contains("verdict.lua"), "\(nowhere.error)")
    }
}
