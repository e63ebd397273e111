import Foundation
import VerdictCore
import VerdictDashboard

/// Writes the dashboard page: `dashboards/DATE.html` and `dashboards/index.html` in the
/// workspace, or one file given with `--out`. Each file is written whole, then renamed, so a
/// browser or a killed run never sees half a page. `verdict daily`, `verdict dashboard` and the
/// server's scheduled morning run (`verdict serve --daily-at`) all write it here.
enum DashboardFiles {
    /// Builds the page for `date` and writes it; returns the paths written, as the user gives
    /// them (relative to the workspace when inside it).
    static func refresh(_ workspace: Workspace, clock: any VerdictClock, date: LocalDay, out: String? = nil) throws -> [String] {
        let dashboard = try Dashboard.make(workspace: workspace, clock: clock, date: date)
        let page = DashboardPage.render(dashboard)
        let targets: [URL]
        if let out {
            targets = [URL(fileURLWithPath: out)]
        } else {
            let folder = workspace.root.appendingPathComponent("dashboards")
            targets = [folder.appendingPathComponent("\(date).html"), folder.appendingPathComponent("index.html")]
        }
        var written: [String] = []
        for target in targets {
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try page.write(to: target, atomically: true, encoding: .utf8)
            } catch {
                throw WorkspaceError.cannotWrite(workspace.relativePath(of: target), at: target, error)
            }
            written.append(out ?? workspace.relativePath(of: target))
        }
        return written
    }
}
