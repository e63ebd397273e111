import Foundation
import VerdictScript
import VerdictStore

/// A Verdict workspace: a folder with `verdict.lua`, `experiments/`, `plugins/` and `.verdict/`
/// (the store).
public struct Workspace: Sendable {
    /// The name of the settings file that marks a folder as a workspace.
    public static let settingsFile = "verdict.lua"
    /// The environment variable naming a workspace when `--workspace` is not given.
    public static let environmentVariable = "VERDICT_WORKSPACE"
    /// The folders every workspace has.
    public static let folders = ["experiments", "plugins", "inbox", ".verdict"]

    /// The workspace folder.
    public let root: URL
    /// The settings loaded from `verdict.lua`.
    public let settings: WorkspaceSettings
    /// Told before an existing store is migrated to a newer schema (see `EventStore.init`).
    public var storeUpgradeNotice: (@Sendable (_ from: Int, _ to: Int) -> Void)?
    /// Told when a write waits for another process's: who that is (`verdict ingest jobs.csv,
    /// pid 4242, since ...`) and how many seconds the write will wait.
    public var storeWaitNotice: (@Sendable (_ holder: String, _ patience: Double) -> Void)?
    /// How long a write waits for another process's before giving up (`StoreError.busy`).
    public var writeWait: TimeInterval = EventStore.defaultWriteWait
    /// How this process names itself to a writer that waits for it (`verdict ingest jobs.csv`).
    public var writerName = "verdict"
    /// The plugin library and templates that ship with Verdict, or why they were not found.
    public var library: Result<BundledLibrary, BundledLibrary.NotFound>

    /// Loads the workspace at `root`, running `verdict.lua` in the sandbox; its scripts find the
    /// bundled plugins in `library`.
    public init(root: URL, library: Result<BundledLibrary, BundledLibrary.NotFound>) throws(WorkspaceError) {
        self.root = root.standardizedFileURL
        self.library = library
        let file = self.root.appendingPathComponent(Self.settingsFile)
        let source: String
        do {
            source = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw .notAWorkspace(self.root.path)
        }
        do {
            let sandbox = try LuaSandbox(limits: .standard)
            let declaration = try sandbox.declaration("workspace", source: source, chunkName: Self.settingsFile)
            settings = try WorkspaceSettings(declaration: declaration, source: source)
        } catch {
            throw .invalidSettings(error)
        }
    }

    /// Where experiment scripts live.
    public var experimentsFolder: URL { root.appendingPathComponent("experiments") }
    /// Where the workspace's own plugins live.
    public var pluginsFolder: URL { root.appendingPathComponent("plugins") }
    /// Where Verdict keeps its store.
    public var stateFolder: URL { root.appendingPathComponent(".verdict") }

    /// The path of `file` relative to the workspace, as scripts' chunk names and error messages
    /// show it; files outside the workspace keep their path as given.
    public func relativePath(of file: URL) -> String {
        let path = file.standardizedFileURL.path
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : file.relativePath
    }

    /// The event store's file.
    public var storePath: String { stateFolder.appendingPathComponent("verdict.sqlite").path }

    /// Opens the workspace's event store. Only `verdict init` creates one (`createStore`): a
    /// missing store is an error, so a deleted `.verdict/` is never quietly replaced by an empty
    /// store. The surfaces go through `EventLog`, `Ingester` and `ReportRun`, which hand out
    /// Core's own values.
    func openStore(durable: Bool = false) throws(StoreError) -> EventStore {
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw .missing(path: relativePath(of: URL(fileURLWithPath: storePath)), evidence: storeEvidence())
        }
        return try EventStore(
            path: storePath, durable: durable, upgrading: storeUpgradeNotice, writeWait: writeWait, writer: writerName, waiting: waitNotice)
    }

    private var waitNotice: (@Sendable (StoreWriter?) -> Void)? {
        guard let notice = storeWaitNotice else { return nil }
        let patience = writeWait
        return { holder in notice(holder?.description ?? "a process that did not say who it is", patience) }
    }

    /// Creates the store (`verdict init`). Fails when there is one.
    func createStore() throws(StoreError) {
        guard !FileManager.default.fileExists(atPath: storePath) else {
            throw .conflict("\(relativePath(of: URL(fileURLWithPath: storePath))) is already there; nothing was changed")
        }
        _ = try EventStore(path: storePath, writeWait: writeWait, writer: writerName, waiting: waitNotice)
    }

    /// The workspace's files that only a workspace with a store has: the flags file, the
    /// dashboards, the daily summaries, the scheduled runs' lock and the store's own side files.
    func storeEvidence() -> [String] {
        let manager = FileManager.default
        let candidates = [
            ("flags.json", "flags.json"), ("dashboards", "dashboards/"), ("daily", "daily/"),
            (".verdict/run.lock", ".verdict/run.lock"), (".verdict/verdict.sqlite-writer", ".verdict/verdict.sqlite-writer"),
            (".verdict/verdict.sqlite-wal", ".verdict/verdict.sqlite-wal"),
        ]
        return candidates.filter { manager.fileExists(atPath: root.appendingPathComponent($0.0).path) }.map(\.1)
    }

    /// The environment variable that bounds a write's wait for another process's, in seconds
    /// (the CLI reads it into `writeWait`).
    public static let writeWaitVariable = "VERDICT_WRITE_WAIT"

    /// Whether `error` is a write that gave up waiting for another process's (the CLI's exit 75).
    public static func isBusy(_ error: any Error) -> Bool {
        if case .busy? = error as? StoreError { return true }
        return false
    }

    /// Every event name the store has seen; none when there is no store yet (without making one).
    public func storedEventNames() throws -> [String] {
        guard FileManager.default.fileExists(atPath: storePath) else { return [] }
        return try openStore().eventNames()
    }

    /// The local date of `clock`'s now in the workspace's time zone.
    public func today(_ clock: any VerdictClock) -> LocalDay {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: clock.now())
        return LocalDay(number: Int32(Timestamp.daysFromCivil(parts.year!, parts.month!, parts.day!)))
    }

    /// The time zone whose local days reports count.
    public var timeZone: TimeZone {
        TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "UTC")!
    }

    /// A sandbox with the workspace's limits, ready to run its scripts; with `sealedPlugins`,
    /// `require` reads those texts (a started experiment's sealed copy) instead of the files.
    public func makeSandbox(
        print: (@Sendable (String) -> Void)? = nil, sealedPlugins: [String: String]? = nil
    ) throws(ScriptError) -> LuaSandbox {
        var plugins = pluginSearchPath
        plugins.sealed = sealedPlugins
        return try LuaSandbox(limits: settings.sandbox, print: print, plugins: plugins)
    }

    /// The file on disk behind a path as chunk names show it (`plugins/x.lua`,
    /// `verdict-plugins/verdict/kpi.lua`, `experiments/x.lua`).
    func file(atShownPath path: String) -> URL? {
        let prefix = BundledLibrary.displayName + "/"
        if path.hasPrefix(prefix) {
            return (try? library.get())?.plugins.appendingPathComponent(String(path.dropFirst(prefix.count)))
        }
        return root.appendingPathComponent(path)
    }

    /// Where this workspace's scripts find modules: its own `plugins/`, then the bundled library.
    public var pluginSearchPath: PluginSearchPath {
        var path = PluginSearchPath(folders: [PluginSearchPath.Folder(url: pluginsFolder, displayName: "plugins")])
        switch library {
        case .success(let bundled):
            path.folders.append(PluginSearchPath.Folder(url: bundled.plugins, displayName: BundledLibrary.displayName))
        case .failure(let notFound):
            path.missing = notFound.description
        }
        return path
    }

    /// The bundled experiment templates (`verdict new`).
    public func templates() throws(BundledLibrary.NotFound) -> ExperimentTemplates {
        ExperimentTemplates(folder: try library.get().templates)
    }
}

/// Why a workspace could not be found, made or loaded.
public enum WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `verdict.lua` in the folder or any folder above it.
    case notFound(searchedFrom: String)
    /// A folder named as the workspace has no `verdict.lua`.
    case notAWorkspace(String)
    /// `verdict init` found a workspace already there.
    case alreadyExists(String)
    /// `verdict.lua` failed to load or declares invalid settings.
    case invalidSettings(ScriptError)
    /// A file or folder could not be written.
    case io(String)

    /// `file` (workspace-relative) could not be written: a full disk says so in those words.
    public static func cannotWrite(_ file: String, at url: URL, _ error: any Error) -> WorkspaceError {
        if DiskSpace.isFull(error, at: url.path) {
            return .io("the disk is full: cannot write \(file). Nothing was half-written; free some space on that disk and run it again")
        }
        return .io("cannot write \(file): \(error.localizedDescription)")
    }

    /// A message that says what to do.
    public var description: String {
        switch self {
        case .notFound(let folder):
            "no Verdict workspace here: neither \(folder) nor any folder above it has a verdict.lua.\n"
                + "Create one with `verdict init [DIR]`, or name one with --workspace DIR or \(Workspace.environmentVariable)=DIR."
        case .notAWorkspace(let folder):
            "\(folder) is not a Verdict workspace (it has no verdict.lua); create one there with `verdict init \(folder)`"
        case .alreadyExists(let folder):
            "\(folder) is already a Verdict workspace (it has a verdict.lua); nothing was changed"
        case .invalidSettings(let error):
            error.description
        case .io(let message):
            message
        }
    }
}
