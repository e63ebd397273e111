import Foundation
import Testing
import VerdictTestSupport

/// Verdict as a new user meets it: installed into a prefix with `make install`'s script, run
/// through `PATH` from folders unrelated to the repository, following the README.
@Suite(.serialized) struct InstalledTutorialTests {
    /// The built binary installed into a fresh prefix by `.ci/install-verdict` (what `make install` runs).
    static func install() throws -> (TemporaryFolder, URL) {
        let prefix = try TemporaryFolder()
        let result = try VerdictProcess.run(
            program: URL(fileURLWithPath: "/bin/bash"),
            [Repository.file(".ci/install-verdict").path, try VerdictProcess.executable.path, prefix.url.path],
            in: prefix.url, environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.error)")
        return (prefix, prefix.url.appendingPathComponent("bin"))
    }

    /// A clean environment with only the installed `verdict` added to `PATH`.
    static func environment(bin: URL, home: URL) -> [String: String] {
        ["PATH": bin.path + ":/usr/bin:/bin", "HOME": home.path, "NO_COLOR": "1", "LANG": "C.UTF-8"]
    }

    @Test func installedThroughPathAndSymlink() throws {
        let (prefix, bin) = try Self.install()
        // The website snippet is in the installed library.
        let snippet = prefix.url.appendingPathComponent("share/verdict/plugins/web/verdict.js")
        #expect(try String(contentsOf: snippet, encoding: .utf8) == String(contentsOf: Repository.file("plugins/web/verdict.js"), encoding: .utf8))
        let elsewhere = try TemporaryFolder()
        // A symbolic link on PATH, as package managers and `ln -s` make, pointing into the prefix.
        let linkFolder = elsewhere.url.appendingPathComponent("links")
        try FileManager.default.createDirectory(at: linkFolder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: linkFolder.appendingPathComponent("verdict"), withDestinationURL: bin.appendingPathComponent("verdict"))
        for folder in [bin, linkFolder] {
            let environment = Self.environment(bin: folder, home: elsewhere.url)
            let bash = URL(fileURLWithPath: "/bin/bash")
            let script = """
                set -e
                verdict new --list --json >/dev/null
                verdict init shop --time-zone UTC >/dev/null
                cd shop
                verdict new book-now --template conversion
                verdict check book-now
                """
            let result = try VerdictProcess.run(program: bash, ["-c", script], in: elsewhere.url, environment: environment)
            #expect(result.status == 0, "\(folder.lastPathComponent): \(result.output)\(result.error)")
            #expect(result.output.contains("CHG-0001  Book-now button on service pages"))
            try FileManager.default.removeItem(at: elsewhere.url.appendingPathComponent("shop"))
        }
        withExtendedLifetime(prefix) {}
    }

    @Test func libraryNotFoundListsEveryPlaceLooked() throws {
        let lonely = try TemporaryFolder()
        let binary = lonely.url.appendingPathComponent("bin/verdict")
        try FileManager.default.createDirectory(at: binary.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: try VerdictProcess.executable, to: binary)
        let environment = Self.environment(bin: binary.deletingLastPathComponent(), home: lonely.url)
        let result = try VerdictProcess.run(program: binary, ["new", "--list"], in: lonely.url, environment: environment)
        #expect(result.status == 1)
        #expect(result.error.contains("looked in:"))
        #expect(result.error.contains(lonely.url.appendingPathComponent("share/verdict").standardizedFileURL.path + ": no plugins/ and templates/"))
        #expect(result.error.contains(lonely.url.appendingPathComponent("bin").standardizedFileURL.path + ": no plugins/ and experiments/templates/"))
        // A script that requires the library says where it looked, too.
        _ = try VerdictProcess.run(program: binary, ["init", "shop", "--time-zone", "UTC"], in: lonely.url, environment: environment)
        try "return experiment { change_id = \"CHG-1\" }\n".write(
            to: lonely.url.appendingPathComponent("shop/experiments/x.lua"), atomically: true, encoding: .utf8)
        try "local kpi = require \"verdict.kpi\"\nreturn kpi\n".write(
            to: lonely.url.appendingPathComponent("shop/plugins/k.lua"), atomically: true, encoding: .utf8)
        let lua = try VerdictProcess.run(program: binary, ["lua", "plugins/k.lua"], in: lonely.url.appendingPathComponent("shop"), environment: environment)
        #expect(lua.status == 1)
        #expect(lua.error.contains("module \"verdict.kpi\" not found"))
        #expect(lua.error.contains("looked in:"))
    }

    /// Every `$ command` in the README's console blocks, run in order in an empty folder with the
    /// installed `verdict` on `PATH`, prints what the README shows.
    @Test func readmeTutorialRunsAsWritten() throws {
        let (prefix, bin) = try Self.install()
        let readme = try String(contentsOf: Repository.file("README.md"), encoding: .utf8)
        let steps = ReadmeTranscript.steps(in: readme)
        #expect(steps.count >= 10, "the README should have a tutorial of console blocks")
        let empty = try TemporaryFolder()
        let outputs = try ReadmeTranscript.run(steps, in: empty.url, environment: Self.environment(bin: bin, home: empty.url))
        #expect(outputs.count == steps.count)
        for (step, output) in zip(steps, outputs) {
            let actual = output.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
            let trimmed = actual.last == "" ? Array(actual.dropLast()) : actual
            #expect(
                ReadmeTranscript.matches(expected: step.expected, actual: trimmed),
                "README.md:\(step.line): `\(step.command)` printed:\n\(trimmed.joined(separator: "\n"))\nbut the README shows:\n\(step.expected.joined(separator: "\n"))")
        }
        withExtendedLifetime(prefix) {}
    }
}
