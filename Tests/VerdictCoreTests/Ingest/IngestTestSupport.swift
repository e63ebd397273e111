import Foundation
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// A workspace in a temporary folder, with an ingester on a fixed clock.
struct IngestFixture {
    let folder: TemporaryFolder
    let workspace: Workspace
    let ingester: Ingester

    init(timeZone: String = "America/Chicago") throws {
        folder = try TemporaryFolder()
        workspace = try WorkspaceInitializer.create(at: folder.url, business: "Brightspark Electric", timeZone: timeZone)
        ingester = try Ingester(workspace: workspace, clock: FixedClock(iso8601: "2026-11-05T07:00:00-06:00")!, actor: "test")
    }

    var store: EventStore { ingester.store }

    /// Writes `text` to `name` in the workspace and ingests it.
    @discardableResult
    func ingest(_ text: String, as name: String, format: IngestFormat? = nil, replacing: Bool = false) throws -> IngestReport {
        try folder.write(text, to: name)
        return try ingester.ingest(name, relativeTo: folder.url, format: format, replacing: replacing)
    }

    /// The one quarantine reason of a one-line JSON file.
    func reason(forLine line: String) throws -> String? {
        let report = try ingest(line + "\n", as: "row-\(UUID().uuidString).jsonl")
        return report.quarantined.first?.reason
    }
}
