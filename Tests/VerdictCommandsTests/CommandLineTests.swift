import Foundation
import Testing
import VerdictTestSupport

/// The `verdict` executable as a user meets it: output, errors on stderr, exit codes.
@Suite struct CommandLineTests {
    @Test func initThenSettings() throws {
        let folder = try TemporaryFolder()
        let created = try VerdictProcess.run(
            ["init", "shop", "--name", "Brightspark Electric", "--time-zone", "America/Chicago"], in: folder.url)
        #expect(created.status == 0, "\(created.error)")
        #expect(created.output.contains("Created a Verdict workspace"))

        let shop = folder.url.appendingPathComponent("shop")
        let settings = try VerdictProcess.run(["settings", "--json"], in: shop.appendingPathComponent("experiments"))
        #expect(settings.status == 0, "\(settings.error)")
        let json = try JSONSerialization.jsonObject(with: Data(settings.output.utf8)) as? [String: Any]
        #expect(json?["business"] as? String == "Brightspark Electric")
        #expect(json?["time_zone"] as? String == "America/Chicago")
        #expect(json?["window_days"] as? Int == 7)

        let again = try VerdictProcess.run(["init", "shop"], in: folder.url)
        #expect(again.status == 1)
        #expect(again.error.contains("is already a Verdict workspace"))
    }

    @Test func workspaceFromEnvironmentAndFlag() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", "shop", "--time-zone", "UTC"], in: folder.url)
        let shop = folder.url.appendingPathComponent("shop").path
        let fromEnvironment = try VerdictProcess.run(["settings"], in: folder.url, environment: ["VERDICT_WORKSPACE": shop])
        #expect(fromEnvironment.status == 0)
        #expect(fromEnvironment.output.contains("time zone    UTC"))
        let fromFlag = try VerdictProcess.run(["settings", "--workspace", "shop"], in: folder.url)
        #expect(fromFlag.status == 0)
        // Before the command, as people write it.
        for arguments in [["--workspace", "shop", "settings"], ["--workspace=shop", "settings"], ["--workspace", "shop", "audit", "verify"]] {
            let first = try VerdictProcess.run(arguments, in: folder.url)
            #expect(first.status == 0, "\(arguments): \(first.error)")
        }
        #expect(try VerdictProcess.run(["--workspace", "shop", "settings"], in: folder.url).output == fromFlag.output)
    }

    @Test func noWorkspaceSaysWhatToDo() throws {
        let folder = try TemporaryFolder()
        let result = try VerdictProcess.run(["settings"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("error: no Verdict workspace here"))
        #expect(result.error.contains("verdict init"))
        #expect(result.output.isEmpty)
    }

    @Test func settingsMistakeIsReportedWithItsLine() throws {
        let folder = try TemporaryFolder()
        try folder.write("return workspace {\n  business = 'Shop',\n  time_zone = 'Nowhere/City',\n}\n", to: "verdict.lua")
        let result = try VerdictProcess.run(["settings"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("error: verdict.lua:3: time_zone: \"Nowhere/City\" is not an IANA time zone name"))
    }

    @Test func luaPrintsTheReturnedValue() throws {
        let folder = try TemporaryFolder()
        try folder.write("print('working')\nreturn { total = 3, items = { 'a', 'b' }, rate = 0.25 }\n", to: "try.lua")
        let plain = try VerdictProcess.run(["lua", "try.lua"], in: folder.url)
        #expect(plain.status == 0)
        #expect(plain.output == "{\n  items = { \"a\", \"b\" },\n  rate = 0.25,\n  total = 3,\n}\n")
        #expect(plain.error == "working\n")
        let json = try VerdictProcess.run(["lua", "--json", "try.lua"], in: folder.url)
        #expect(json.output == "{\n  \"items\": [\n    \"a\",\n    \"b\"\n  ],\n  \"rate\": 0.25,\n  \"total\": 3\n}\n")
    }

    @Test func luaErrorsGoToStandardErrorWithFileAndLine() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url)
        try folder.write("local t = {}\n\nreturn t.missing.field\n", to: "plugins/broken.lua")
        let result = try VerdictProcess.run(["lua", "broken.lua"], in: folder.url.appendingPathComponent("plugins"))
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.error.hasPrefix("error: plugins/broken.lua:3: attempt to index a nil value (field 'missing')\n"))
        #expect(result.error.contains("    plugins/broken.lua:3: in main chunk"))

        let missing = try VerdictProcess.run(["lua", "nope.lua"], in: folder.url)
        #expect(missing.status == 1)
        #expect(missing.error == "error: nope.lua: cannot read the script: no such file\n")
    }

    @Test func luaUsesTheWorkspaceLimits() throws {
        let folder = try TemporaryFolder()
        try folder.write("return workspace { business = 'Shop', time_zone = 'UTC', sandbox = { instructions = 100000 } }\n", to: "verdict.lua")
        try folder.write("local n = 0\nfor i = 1, 1e7 do n = n + i end\nreturn n\n", to: "count.lua")
        let result = try VerdictProcess.run(["lua", "count.lua"], in: folder.url)
        #expect(result.status == 1)
        #expect(result.error.hasPrefix("error: count.lua:2: instruction limit exceeded: the script ran more than 100000 instructions"))
    }

    @Test func helpHasExamplesForEveryCommand() throws {
        let folder = try TemporaryFolder()
        for command in ["init", "settings", "lua"] {
            let help = try VerdictProcess.run([command, "--help"], in: folder.url)
            #expect(help.status == 0)
            #expect(help.output.contains("Examples:"), "\(command) --help has no examples")
        }
        let root = try VerdictProcess.run(["help"], in: folder.url)
        #expect(root.output.contains("SUBCOMMANDS"))
        let version = try VerdictProcess.run(["--version"], in: folder.url)
        #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    /// The bundled plugin library is found from the built binary, and a workspace plugin with the
    /// same name comes first.
    @Test func bundledPluginsAreFound() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url)
        try folder.write("local util = require 'verdict.util'\nreturn util.split('a,b', ',')\n", to: "try.lua")
        let result = try VerdictProcess.run(["lua", "--json", "try.lua"], in: folder.url)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "[\n  \"a\",\n  \"b\"\n]\n")
    }

    @Test func usageErrorsExitWith64() throws {
        let folder = try TemporaryFolder()
        let result = try VerdictProcess.run(["lua"], in: folder.url)
        #expect(result.status == 64)
    }
}

/// The command line's conventions: one error prefix, exit codes, suggestions, help that is true.
@Suite struct CommandLineConventionTests {
    @Test func unknownCommandsAreRefusedWithASuggestion() throws {
        let folder = try TemporaryFolder()
        let help = try VerdictProcess.run(["help", "nope"], in: folder.url)
        #expect(help.status == 64)
        #expect(help.output.isEmpty)
        #expect(help.error.hasPrefix("error: verdict has no command 'nope'; the commands are init, "))
        let nested = try VerdictProcess.run(["help", "batch", "remvoe"], in: folder.url)
        #expect(nested.status == 64 && nested.error.contains("verdict batch has no command 'remvoe' (did you mean 'remove'?)"))
        let typo = try VerdictProcess.run(["reprot"], in: folder.url)
        #expect(typo.status == 64)
        #expect(typo.error.hasPrefix("error: 'reprot' is not a verdict command; did you mean 'report'?"))
        // With arguments after it, too (the parser would count them as unexpected first).
        let withArguments = try VerdictProcess.run(["ingets", "x.jsonl", "y.jsonl"], in: folder.url)
        #expect(withArguments.status == 64)
        #expect(withArguments.error.hasPrefix("error: 'ingets' is not a verdict command; did you mean 'ingest'?"), "\(withArguments.error)")
        let unlike = try VerdictProcess.run(["qqqqzz", "x"], in: folder.url)
        #expect(unlike.status == 64 && unlike.error.hasPrefix("error: 'qqqqzz' is not a verdict command\n"), "\(unlike.error)")
        let known = try VerdictProcess.run(["help", "batch", "remove"], in: folder.url)
        #expect(known.status == 0 && known.output.contains("USAGE: verdict batch remove <id>"))
    }

    @Test func everyErrorHasTheSamePrefix() throws {
        let folder = try TemporaryFolder()
        let cases: [[String]] = [["new"], ["lua"], ["report", "--frm", "x"], ["events", "--from", "yesterday"], ["settings"], ["quarantine", "--raw", "--json"]]
        for arguments in cases {
            let result = try VerdictProcess.run(arguments, in: folder.url)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.error.hasPrefix("error: "), "\(arguments): \(result.error)")
            #expect(!result.error.contains("Error:"), "\(arguments): \(result.error)")
        }
        let validation = try VerdictProcess.run(["new"], in: folder.url)
        #expect(validation.error.contains("See 'verdict new --help'"))
    }

    @Test func helpTellsTheTruth() throws {
        let folder = try TemporaryFolder()
        let root = try VerdictProcess.run(["--help"], in: folder.url, environment: ["COLUMNS": "80"])
        #expect(root.output.contains("3 (ingest) some rows were quarantined"))
        // Paragraphs wrap at the terminal's width, not mid-sentence where the source broke lines.
        let lines = root.output.split(separator: "\n", omittingEmptySubsequences: false)
        for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !line.hasPrefix(" ") && !next.isEmpty && !next.hasPrefix(" ") {
            #expect(line.count > 50 || line.hasSuffix(":"), "a line broken mid-sentence: \"\(line)\" / \"\(next)\"")
        }
        let initHelp = try VerdictProcess.run(["init", "--help"], in: folder.url)
        #expect(!initHelp.output.contains("(default: the current folder). (default: .)"))
        // The lua examples run as shown in a workspace made with --examples.
        _ = try VerdictProcess.run(["init", "shop", "--time-zone", "UTC", "--examples"], in: folder.url)
        let shop = folder.url.appendingPathComponent("shop")
        let luaHelp = try VerdictProcess.run(["lua", "--help"], in: folder.url)
        let examples = luaHelp.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("verdict lua ") }
        #expect(examples.count == 2)
        for example in examples {
            let arguments = example.split(separator: "#")[0].split(separator: " ").dropFirst().map(String.init)
            let result = try VerdictProcess.run(arguments, in: shop)
            #expect(result.status == 0, "\(example): \(result.error)")
        }
    }

    @Test func newListsTemplatesAsJSON() throws {
        let folder = try TemporaryFolder()
        let result = try VerdictProcess.run(["new", "--list", "--json"], in: folder.url)
        #expect(result.status == 0)
        let templates = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: String]]
        #expect(templates?.contains { $0["name"] == "conversion" && $0["summary"] == "appointment conversion" } == true)
    }

    @Test func aBinaryFileGivenAsCSVDoesNotReachTheTerminalRaw() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url)
        try folder.write("a,b,\u{1}\u{2}\u{1B}[31mred\n", to: "odd.csv")
        let header = try VerdictProcess.run(["ingest", "odd.csv"], in: folder.url)
        #expect(header.status == 1)
        #expect(!header.error.contains("\u{1B}") && header.error.contains(#"\u{1B}[31mred"#))
        try folder.write("event,timestamp\nx\u{1B}[2J,2026-11-03T10:00:00Z\n", to: "rows.csv")
        _ = try VerdictProcess.run(["ingest", "rows.csv"], in: folder.url)
        let listed = try VerdictProcess.run(["quarantine"], in: folder.url)
        #expect(listed.output.contains(#"x\u{1B}[2J"#) && !listed.output.contains("\u{1B}"))
    }
}
