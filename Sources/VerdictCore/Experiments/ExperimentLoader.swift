import Foundation
import VerdictScript

/// Loads experiment scripts from a workspace.
public struct ExperimentLoader: Sendable {
    /// The workspace whose experiments are loaded.
    public let workspace: Workspace

    /// Creates a loader.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The experiment scripts: `experiments/*.lua` (not the templates/ or examples/ folders).
    public func scripts() -> [URL] {
        let files = (try? FileManager.default.contentsOfDirectory(
            at: workspace.experimentsFolder, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "lua" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The script of experiment `name` (`book-now` or `experiments/book-now.lua`).
    public func script(named name: String) -> URL {
        if name.hasSuffix(".lua") { return URL(fileURLWithPath: name, relativeTo: .currentFolder) }
        return workspace.experimentsFolder.appendingPathComponent(name + ".lua")
    }

    /// Loads and validates one experiment script.
    public func load(_ file: URL) throws(ScriptError) -> ExperimentDeclaration {
        try loadKeepingSandbox(file).declaration
    }

    /// Loads one experiment and keeps the sandbox its functions (custom KPIs) live in: `sandbox`
    /// when given (experiments of one run share one, so each module loads once), else a new one.
    public func loadKeepingSandbox(_ file: URL, in shared: LuaSandbox? = nil) throws(ScriptError)
        -> (declaration: ExperimentDeclaration, sandbox: LuaSandbox)
    {
        let (source, chunkName) = try read(file)
        let sandbox: LuaSandbox
        if let shared { sandbox = shared } else { sandbox = try workspace.makeSandbox() }
        return (try declare(source, chunkName: chunkName, in: sandbox), sandbox)
    }

    /// The script's text and chunk name.
    private func read(_ file: URL) throws(ScriptError) -> (source: String, chunkName: String) {
        let chunkName = workspace.relativePath(of: file)
        do {
            return (try String(contentsOf: file, encoding: .utf8), chunkName)
        } catch {
            throw ScriptError(kind: .io, message: "cannot read the experiment: no such file or not UTF-8 text", file: chunkName)
        }
    }

    /// Runs an experiment's source in `sandbox` and validates what it declares.
    func declare(_ source: String, chunkName: String, in sandbox: LuaSandbox) throws(ScriptError) -> ExperimentDeclaration {
        let declaration = try sandbox.declaration(
            "experiment", source: source, chunkName: chunkName,
            prelude: LuaSandbox.Prelude(source: ExperimentPrelude.source, chunkName: ExperimentPrelude.chunkName))
        return try ExperimentDeclaration(declaration: declaration, source: source, defaultWindowDays: workspace.settings.windowDays)
    }

    /// Loads one experiment in a sandbox of its own and seals it: the declaration, the script's
    /// text, and every plugin it required (a fresh sandbox loads each one, transitively).
    public func loadSealed(_ file: URL) throws(ScriptError) -> (declaration: ExperimentDeclaration, seal: Seal, sandbox: LuaSandbox) {
        let (source, chunkName) = try read(file)
        let sandbox = try workspace.makeSandbox()
        let declaration = try declare(source, chunkName: chunkName, in: sandbox)
        let seal = Seal(declaration, script: Seal.SealedFile(path: chunkName, text: source), modules: sandbox.loadedModules)
        return (declaration, seal, sandbox)
    }

    /// Loads several scripts; each gets its declaration or its error, and a change_id used by
    /// two scripts is an error on the second.
    /// They share one sandbox: every module they require loads once in the run.
    public func loadAll(_ files: [URL]) -> [(file: URL, result: Result<ExperimentDeclaration, ScriptError>)] {
        loadAllKeepingSandbox(files).experiments
    }

    /// `loadAll`, and the sandbox the experiments' functions (custom KPIs) live in.
    public func loadAllKeepingSandbox(_ files: [URL]) -> (
        experiments: [(file: URL, result: Result<ExperimentDeclaration, ScriptError>)], sandbox: LuaSandbox?
    ) {
        var seen: [String: SourceLocation] = [:]
        let shared = try? workspace.makeSandbox()
        let experiments = files.map { file in
            var result = Result { () throws(ScriptError) in try loadKeepingSandbox(file, in: shared).declaration }
            if case .success(let declaration) = result {
                if let first = seen[declaration.changeID] {
                    result = .failure(
                        ScriptError(
                            kind: .declaration,
                            message: "change_id: \"\(declaration.changeID)\" is already the change_id of \(first.file); each experiment needs its own",
                            file: declaration.location.file, line: declaration.location.line))
                } else {
                    seen[declaration.changeID] = declaration.location
                }
            }
            return (file, result)
        }
        return (experiments, shared)
    }
}
