import Foundation

/// Where `require` looks for modules: a list of folders, searched in order.
///
/// A module name is dot-separated identifiers (`trades.electrical`), found as
/// `FOLDER/trades/electrical.lua`. Names cannot climb out of a folder (no `..`, no slashes), and
/// a file that is a symbolic link to somewhere outside its folder is refused, so a shared script
/// can only ever read plugins.
public struct PluginSearchPath: Sendable {
    /// One folder to search.
    public struct Folder: Sendable {
        /// The folder.
        public var url: URL
        /// How chunk names and messages show files from it (`plugins`, `verdict-plugins`).
        public var displayName: String

        /// Creates a search folder.
        public init(url: URL, displayName: String) {
            self.url = url
            self.displayName = displayName
        }
    }

    /// The folders, searched in order.
    public var folders: [Folder]

    /// Why a folder that should be searched is missing (the bundled library was not found),
    /// added to "module not found" messages.
    public var missing: String?

    /// When set, modules come from these texts (by path as messages show them, such as
    /// `plugins/crew.lua`) instead of the folders' files: a started experiment's sealed copy.
    public var sealed: [String: String]?

    /// Creates a search path.
    public init(folders: [Folder], missing: String? = nil, sealed: [String: String]? = nil) {
        self.folders = folders
        self.missing = missing
        self.sealed = sealed
    }

    /// The source and chunk name of module `name`.
    public func resolve(_ name: String) throws(LuaSandbox.HostError) -> (source: String, chunkName: String) {
        guard Self.isModuleName(name) else {
            throw LuaSandbox.HostError(
                "require: \(LuaValue.string(name).luaLiteral()) is not a module name; names look like \"trades.electrical\"")
        }
        let relative = name.split(separator: ".").joined(separator: "/") + ".lua"
        var looked: [String] = []
        if let sealed {
            for folder in folders {
                let shown = "\(folder.displayName)/\(relative)"
                if let source = sealed[shown] { return (source, shown) }
            }
            throw LuaSandbox.HostError("module \"\(name)\" is not in the sealed copy (it was not required when the experiment started)")
        }
        for folder in folders {
            let file = folder.url.appendingPathComponent(relative)
            let shown = "\(folder.displayName)/\(relative)"
            looked.append(shown)
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            let root = folder.url.resolvingSymlinksInPath().path
            let real = file.resolvingSymlinksInPath().path
            guard real.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                throw LuaSandbox.HostError("require: \(shown) points outside \(folder.displayName)/, so it is not loaded")
            }
            guard let source = try? String(contentsOf: file, encoding: .utf8) else {
                throw LuaSandbox.HostError("require: \(shown) cannot be read as UTF-8 text")
            }
            return (source, shown)
        }
        throw LuaSandbox.HostError(
            "module \"\(name)\" not found (looked for \(looked.isEmpty ? "nothing: no plugin folders" : looked.joined(separator: " and ")))"
                + (missing.map { "; \($0)" } ?? ""))
    }

    static func isModuleName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.count <= 8
            && parts.allSatisfy { part in
                guard let first = part.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
                return part.count <= 64 && part.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            }
    }
}
