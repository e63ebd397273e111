import Foundation
import VerdictScript

/// Running one Lua file in the sandbox (`verdict lua`).
public enum ScriptFile {
    /// Runs `file` in a fresh sandbox and returns the value it returns.
    ///
    /// With a workspace, the file runs under the workspace's limits and errors name it by its
    /// workspace-relative path; without one, under the standard limits and by the path given.
    public static func run(
        _ file: URL, in workspace: Workspace?, print: @escaping @Sendable (String) -> Void
    ) throws(ScriptError) -> LuaValue {
        let name = workspace?.relativePath(of: file) ?? file.relativePath
        let source: String
        do {
            source = try String(contentsOf: file, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: file.path) ? "it is not readable UTF-8 text" : "no such file"
            throw ScriptError(kind: .io, message: "cannot read the script: \(reason)", file: name)
        }
        let sandbox: LuaSandbox
        if let workspace {
            sandbox = try workspace.makeSandbox(print: print)
        } else {
            sandbox = try LuaSandbox(print: print)
        }
        return try sandbox.run(source, chunkName: name)
    }
}
