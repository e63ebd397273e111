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
}
