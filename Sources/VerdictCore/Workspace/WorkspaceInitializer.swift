import Foundation
import VerdictScript
import VerdictStore

/// Creates new workspaces (`verdict init`).
public enum WorkspaceInitializer {
    /// Creates a workspace in `folder` (made if missing) and returns it loaded.
    ///
    /// Refuses, changing nothing, when `folder` already holds a `verdict.lua`. The time zone must
    /// be an IANA name; without one the system's is used.
    public static func create(
        at folder: URL, business: String, timeZone: String?, library: Result<BundledLibrary, BundledLibrary.NotFound>
    ) throws(WorkspaceError) -> Workspace {
        let root = folder.standardizedFileURL
        if WorkspaceLocator.hasSettings(root) { throw .alreadyExists(root.path) }
        let zone = timeZone ?? WorkspaceSettings.systemTimeZone
        guard WorkspaceSettings.isKnownTimeZone(zone) else {
            let hint = closestMatch(to: zone, in: TimeZone.knownTimeZoneIdentifiers).map { " (did you mean \($0)?)" } ?? ""
            throw .io("\"\(zone)\" is not an IANA time zone name such as America/Chicago\(hint)")
        }
        var settings = WorkspaceSettings(business: business, timeZone: zone)
        settings.dateOrder = DateOrder.usual(inTimeZone: zone)
        let manager = FileManager.default
        do {
            for name in Workspace.folders {
                try manager.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
            }
            try settingsText(settings).write(
                to: root.appendingPathComponent(Workspace.settingsFile), atomically: true, encoding: .utf8)
            try "*\n".write(to: root.appendingPathComponent(".verdict/.gitignore"), atomically: true, encoding: .utf8)
        } catch {
            throw .io("cannot create the workspace in \(root.path): \(error.localizedDescription)")
        }
        let workspace = try Workspace(root: root, library: library)
        do {
            try workspace.createStore()
        } catch {
            throw .io("cannot create the store \(workspace.storePath): \(error)")
        }
        return workspace
    }

    /// Makes an empty store in an existing workspace that has none (`verdict init --new-store`,
    /// or `verdict init` in a workspace made before `init` made the store). Refuses, changing
    /// nothing, when the workspace's files show it had a store, unless `replacingLost`: a lost
    /// store is restored from a backup, not quietly started again.
    public static func createStore(in workspace: Workspace, replacingLost: Bool) throws(WorkspaceError) {
        let evidence = workspace.storeEvidence()
        if FileManager.default.fileExists(atPath: workspace.storePath) { throw .alreadyExists(workspace.root.path) }
        if !evidence.isEmpty && !replacingLost {
            throw .io(StoreError.missing(path: workspace.relativePath(of: URL(fileURLWithPath: workspace.storePath)), evidence: evidence).description)
        }
        do {
            try workspace.createStore()
        } catch {
            throw .io("cannot create the store \(workspace.storePath): \(error)")
        }
    }

    /// The text of a new `verdict.lua`.
    static func settingsText(_ settings: WorkspaceSettings) -> String {
        let limits = settings.sandbox
        return """
            -- Verdict workspace settings. This file runs in the same sandbox as experiments,
            -- so a mistake here gets a file:line error like any script.
            return workspace {
              business    = \(LuaValue.string(settings.business).luaLiteral()),
              time_zone   = \(LuaValue.string(settings.timeZone).luaLiteral()),  -- IANA name; reports count local days here
              date_order  = \(LuaValue.string((settings.dateOrder ?? .monthFirst).rawValue).luaLiteral()),  -- how exports write dates: \((settings.dateOrder ?? .monthFirst).example)
              window_days = \(settings.windowDays),       -- default experiment window
              alpha       = \(settings.alpha),    -- significance level of verdicts
              power       = \(settings.power),     -- power for sample sizes and forecasts
              risk_tolerance = \(settings.riskTolerance),  -- keep an inconclusive change when keeping it risks less than this

              -- Limits for every script call (experiments, plugins, importers):
              -- sandbox = { memory_mb = \(limits.memoryBytes >> 20), instructions = \(limits.instructions), seconds = \(limits.seconds) },
            }

            """
    }

    /// Copies the tutorial's example files (event exports, importer samples, Lua scratch files)
    /// from the bundled library into the workspace's `examples/` folder; returns their names.
    public static func copyExamples(into workspace: Workspace) throws(WorkspaceError) -> [String] {
        guard let source = (try? workspace.library.get())?.examples else {
            throw .io("the example files are not installed beside verdict (PREFIX/share/verdict/examples)")
        }
        let target = workspace.root.appendingPathComponent("examples")
        let manager = FileManager.default
        do {
            let files = try manager.contentsOfDirectory(at: source, includingPropertiesForKeys: nil)
                .filter { ["lua", "csv", "jsonl"].contains($0.pathExtension) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            try manager.createDirectory(at: target, withIntermediateDirectories: true)
            for file in files {
                let destination = target.appendingPathComponent(file.lastPathComponent)
                guard !manager.fileExists(atPath: destination.path) else { continue }
                try manager.copyItem(at: file, to: destination)
            }
            return files.map(\.lastPathComponent)
        } catch {
            throw .io("cannot copy the examples into \(target.path): \(error.localizedDescription)")
        }
    }
}
