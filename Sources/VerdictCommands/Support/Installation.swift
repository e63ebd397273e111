import Foundation
import VerdictCore

/// Where this `verdict` binary really is, and the bundled library that came with it.
enum Installation {
    /// The plugin library and templates for this binary, found from its real path (through any
    /// symbolic link on `PATH`) and the `VERDICT_PLUGINS` / `VERDICT_TEMPLATES` overrides.
    static let library: Result<BundledLibrary, BundledLibrary.NotFound> = Result { () throws(BundledLibrary.NotFound) in
        try BundledLibrary.locate(executable: executable, environment: ProcessInfo.processInfo.environment)
    }

    /// The running executable's real path: `/proc/self/exe` on Linux, else `argv[0]` searched on
    /// `PATH` the way the shell found it.
    static var executable: URL {
        if let real = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: real)
        }
        let name = CommandLine.arguments.first ?? "verdict"
        if name.contains("/") { return URL(fileURLWithPath: name, relativeTo: .currentFolder).resolvingSymlinksInPath() }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.resolvingSymlinksInPath() }
        }
        return URL(fileURLWithPath: name, relativeTo: .currentFolder)
    }
}
