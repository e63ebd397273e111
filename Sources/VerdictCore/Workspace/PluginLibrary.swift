import Foundation

/// The plugin library that ships with Verdict (the repository's `plugins/`): KPI helpers,
/// trade KPIs, CSV importers.
public enum PluginLibrary {
    /// The environment variable that names the library's folder explicitly.
    public static let environmentVariable = "VERDICT_PLUGINS"
    /// How messages and chunk names show files from the library.
    public static let displayName = "verdict-plugins"

    /// The library's folder: `VERDICT_PLUGINS` if set; else a `plugins` folder holding
    /// `verdict/` next to the executable, in `../share/verdict/plugins`, or in a folder above
    /// the executable (a build inside the repository).
    public static var bundled: URL? {
        if let named = ProcessInfo.processInfo.environment[environmentVariable], !named.isEmpty {
            return URL(fileURLWithPath: named, isDirectory: true)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        let shared = folder.deletingLastPathComponent().appendingPathComponent("share/verdict/plugins")
        if isLibrary(shared) { return shared }
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("plugins")
            if isLibrary(candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return nil
    }

    static func isLibrary(_ folder: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("verdict").path, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }
}
