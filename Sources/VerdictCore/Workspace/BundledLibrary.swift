import Foundation

/// What ships with Verdict beside the binary: the plugin library (KPI helpers, trade KPIs, CSV
/// importers), the experiment templates and the example files of the tutorial.
///
/// Two layouts are recognised:
/// - installed (`make install PREFIX=P`): `P/bin/verdict` with `P/share/verdict/plugins`,
///   `P/share/verdict/templates` and `P/share/verdict/examples`;
/// - the repository (a build under `.build/`): `plugins/`, `experiments/templates/` and
///   `experiments/examples/` in a folder above the binary.
///
/// The command layer finds the real executable (through symbolic links) and the overrides in the
/// environment, and passes them in: Core itself reads neither.
public struct BundledLibrary: Sendable, Equatable {
    /// The environment variable that names the plugin library's folder explicitly.
    public static let pluginsVariable = "VERDICT_PLUGINS"
    /// The environment variable that names the templates' folder explicitly.
    public static let templatesVariable = "VERDICT_TEMPLATES"
    /// How messages and chunk names show files from the plugin library.
    public static let displayName = "verdict-plugins"

    /// The plugin library's folder (it holds `verdict/kpi.lua`).
    public var plugins: URL
    /// The experiment templates' folder.
    public var templates: URL
    /// The tutorial's example files, when they are installed.
    public var examples: URL?

    /// A library made of these folders.
    public init(plugins: URL, templates: URL, examples: URL? = nil) {
        self.plugins = plugins
        self.templates = templates
        self.examples = examples
    }

    /// Why the library was not found: every place that was looked at.
    public struct NotFound: Error, Sendable, Equatable, CustomStringConvertible {
        /// The folders looked at, in order, each with what was missing there.
        public var looked: [String]

        /// A message that lists every place looked and says how to fix it.
        public var description: String {
            "the Verdict plugin library and templates were not found; looked in:\n"
                + looked.map { "  \($0)\n" }.joined()
                + "Install them with `make install PREFIX=...` (they go to PREFIX/share/verdict), "
                + "or name them with \(BundledLibrary.pluginsVariable)=DIR and \(BundledLibrary.templatesVariable)=DIR."
        }
    }

    /// Finds the library for the binary at `executable` (its real path, symbolic links resolved):
    /// the overrides in `environment` first, then the installed layout, then the repository's.
    public static func locate(executable: URL, environment: [String: String]) throws(NotFound) -> BundledLibrary {
        var looked: [String] = []
        var plugins = environment[pluginsVariable].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
        var templates = environment[templatesVariable].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
        var examples: URL?
        if let named = plugins, !isPluginLibrary(named) {
            looked.append("\(named.path) (from \(pluginsVariable)): no verdict/kpi.lua")
            plugins = nil
        }
        if let named = templates, !isFolder(named) {
            looked.append("\(named.path) (from \(templatesVariable)): no such folder")
            templates = nil
        }
        if plugins == nil || templates == nil {
            let binFolder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
            var candidates = [(binFolder.deletingLastPathComponent().appendingPathComponent("share/verdict"), true)]
            var folder = binFolder
            for _ in 0..<6 {
                candidates.append((folder, false))
                folder.deleteLastPathComponent()
                if folder.path == "/" { break }
            }
            for (root, installed) in candidates {
                let candidatePlugins = root.appendingPathComponent("plugins")
                let candidateTemplates = root.appendingPathComponent(installed ? "templates" : "experiments/templates")
                guard isPluginLibrary(candidatePlugins), isFolder(candidateTemplates) else {
                    looked.append("\(root.standardizedFileURL.path): no \(installed ? "plugins/ and templates/" : "plugins/ and experiments/templates/")")
                    continue
                }
                plugins = plugins ?? candidatePlugins
                templates = templates ?? candidateTemplates
                let candidateExamples = root.appendingPathComponent(installed ? "examples" : "experiments/examples")
                examples = isFolder(candidateExamples) ? candidateExamples : nil
                break
            }
        }
        guard let plugins, let templates else { throw NotFound(looked: looked) }
        return BundledLibrary(plugins: plugins.standardizedFileURL, templates: templates.standardizedFileURL, examples: examples?.standardizedFileURL)
    }

    /// The repository's own library, for a build or a test inside the repository.
    public static func repository(at root: URL) -> BundledLibrary {
        BundledLibrary(
            plugins: root.appendingPathComponent("plugins"), templates: root.appendingPathComponent("experiments/templates"),
            examples: root.appendingPathComponent("experiments/examples"))
    }

    static func isPluginLibrary(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("verdict/kpi.lua").path)
    }

    static func isFolder(_ folder: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
