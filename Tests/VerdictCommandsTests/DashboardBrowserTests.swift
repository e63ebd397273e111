import Foundation
import Testing
import VerdictTestSupport

/// The dashboard as a browser shows it (Tests/Browser/dashboard_check.py): a screenshot that is
/// not blank, the chips, the filters through the fragment, a cohort's figures against
/// `report --json`, no console error, no network request, and axe-core's accessibility rules.
@Suite struct DashboardBrowserTests {
    @Test(.enabled(if: BrowserCheck.python != nil, "python3 is not installed: the dashboard is not checked in a browser (Selenium and axe-core need it)"))
    func thePageWorksInChromium() throws {
        if let missing = BrowserCheck.missingBrowser { Issue.record(Comment(rawValue: missing)); return }
        let folder = try TemporaryFolder()
        let result = try BrowserCheck.run(["--screenshot", folder.url.appendingPathComponent("page.png").path], in: folder.url)
        #expect(result.status == 0, "\(result.output)\n\(result.error)")
        #expect(result.output.hasSuffix("ok\n"), "\(result.output)")
    }

    /// verdict.js on a contractor's test page against a live verdict serve
    /// (Tests/Browser/snippet_check.py): the variant shown, the bucketing, the click stored.
    @Test(.enabled(if: BrowserCheck.python != nil, "python3 is not installed: the website snippet is not checked in a browser"))
    func theSnippetShowsTheVariantAndItsClickLands() throws {
        if let missing = BrowserCheck.missingBrowser { Issue.record(Comment(rawValue: missing)); return }
        let folder = try TemporaryFolder()
        let result = try BrowserCheck.run(script: "Tests/Browser/snippet_check.py", [], in: folder.url)
        #expect(result.status == 0 && result.output.hasSuffix("ok\n"), "\(result.output)\n\(result.error)")
        #expect(result.output.contains("the snippet's arm is the server's"), "\(result.output)")
    }

    /// The owner records a decision from `verdict serve`'s live dashboard (Tests/Browser/decide_check.py):
    /// offered only once signed in, refused for a read-only token, a kept change rolled back as a
    /// reversal by the token's name, and the admin token in no address and no log line.
    @Test(.enabled(if: BrowserCheck.python != nil, "python3 is not installed: deciding from the dashboard is not checked in a browser"))
    func theOwnerDecidesFromTheLiveDashboard() throws {
        if let missing = BrowserCheck.missingBrowser { Issue.record(Comment(rawValue: missing)); return }
        let folder = try TemporaryFolder()
        let result = try BrowserCheck.run(script: "Tests/Browser/decide_check.py", [], in: folder.url)
        #expect(result.status == 0 && result.output.hasSuffix("ok\n"), "\(result.output)\n\(result.error)")
        #expect(result.output.contains("rollback: Recorded: CHG-0502 is now reversed."), "\(result.output)")
    }
}
