import Foundation

extension URL {
    /// The process's current folder, as a directory URL that relative paths resolve against.
    public static var currentFolder: URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    }
}

/// Finds the workspace a command works on.
public enum WorkspaceLocator {
    /// The workspace folder: the one given explicitly (`--workspace`), else the one named by
    /// `VERDICT_WORKSPACE`, else the nearest folder at or above `currentDirectory` that holds a
    /// `verdict.lua`.
    public static func locate(
        explicit: String?, environment: [String: String], currentDirectory: URL
    ) throws(WorkspaceError) -> URL {
        let named = explicit ?? environment[Workspace.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let named {
            let base = URL(fileURLWithPath: currentDirectory.path, isDirectory: true)
            let folder = URL(fileURLWithPath: named, isDirectory: true, relativeTo: base).standardizedFileURL
            guard hasSettings(folder) else { throw .notAWorkspace(folder.path) }
            return folder
        }
        var folder = currentDirectory.standardizedFileURL
        while true {
            if hasSettings(folder) { return folder }
            let parent = folder.deletingLastPathComponent().standardizedFileURL
            if parent.path == folder.path { break }
            folder = parent
        }
        throw .notFound(searchedFrom: currentDirectory.standardizedFileURL.path)
    }

    static func hasSettings(_ folder: URL) -> Bool {
        var isDirectory: ObjCBool = false
        let file = folder.appendingPathComponent(Workspace.settingsFile).path
        return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
