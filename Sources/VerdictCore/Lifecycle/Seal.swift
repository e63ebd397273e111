import Crypto
import Foundation
import VerdictScript

/// The seal of a started experiment: SHA-256 over a canonical form of what was promised — the
/// declaration, the script's text and the text of every plugin it required — so any later change
/// to any of them shows (docs/lifecycle.md gives the form exactly).
public struct Seal: Sendable, Equatable {
    /// What the seal covers.
    public var declared: String
    public var script: SealedFile
    /// Every module the script required, directly or through another, sorted by path.
    public var plugins: [SealedFile]

    /// One sealed file: its path as chunk names show it, and its text.
    public struct SealedFile: Sendable, Equatable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    public init(declared: String, script: SealedFile, plugins: [SealedFile]) {
        self.declared = declared
        self.script = script
        self.plugins = plugins.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// The seal of `declaration`, loaded from `script`, that required `modules`.
    public init(_ declaration: ExperimentDeclaration, script: SealedFile, modules: [LoadedModule]) {
        self.init(
            declared: declaration.declared, script: script, plugins: modules.map { SealedFile(path: $0.chunkName, text: $0.source) })
    }

    /// The bytes the hash covers:
    ///
    ///     verdict-seal 1 LF
    ///     declaration <bytes> LF <canonical JSON> LF
    ///     script <path> <bytes> LF <text> LF
    ///     plugin <path> <bytes> LF <text> LF      (each plugin, by path)
    ///
    /// where `<bytes>` is the length in bytes of the UTF-8 text that follows the line.
    public var canonicalForm: [UInt8] {
        var out = Array("verdict-seal 1\n".utf8)
        func section(_ header: String, _ text: String) {
            let bytes = Array(text.utf8)
            out += Array("\(header) \(bytes.count)\n".utf8)
            out += bytes
            out.append(0x0A)
        }
        section("declaration", declared)
        section("script \(script.path)", script.text)
        for plugin in plugins { section("plugin \(plugin.path)", plugin.text) }
        return out
    }

    /// The seal: SHA-256 of the canonical form, as 64 lowercase hex digits.
    public var hash: String {
        lowercaseHex(SHA256.hash(data: canonicalForm))
    }
}
