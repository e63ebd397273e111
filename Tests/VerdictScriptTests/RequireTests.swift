import Foundation
import Testing
import VerdictScript
import VerdictTestSupport

/// `require`: only plugin folders, each module once, its tables read-only to everyone else.
@Suite struct RequireTests {
    let folder: TemporaryFolder
    let sandbox: LuaSandbox
    let printed: Lines

    final class Lines: @unchecked Sendable {
        var items: [String] = []
    }

    init() throws {
        folder = try TemporaryFolder()
        let printed = Lines()
        self.printed = printed
        let workspacePlugins = folder.url.appendingPathComponent("plugins")
        let bundled = folder.url.appendingPathComponent("library")
        try folder.write("print('loading counter')\nlocal M = { count = 0, list = { 1, 2 } }\nfunction M.bump() M.count = M.count + 1 return M.count end\nreturn M\n", to: "plugins/counter.lua")
        try folder.write("local counter = require 'counter'\nlocal ok, err = pcall(function() counter.count = 99 end)\nleaked_global = true\nreturn { ok = ok, err = err }\n", to: "plugins/meddler.lua")
        try folder.write("return { from = 'library' }\n", to: "library/shared/thing.lua")
        try folder.write("return { from = 'workspace' }\n", to: "plugins/shared/override.lua")
        try folder.write("return { from = 'library' }\n", to: "library/shared/override.lua")
        try folder.write("local b = require 'loop_b'\nreturn {}\n", to: "plugins/loop_a.lua")
        try folder.write("local a = require 'loop_a'\nreturn {}\n", to: "plugins/loop_b.lua")
        try folder.write("local x = nil\n\nreturn x.field\n", to: "plugins/broken.lua")
        try folder.write("secret", to: "outside.txt")
        try FileManager.default.createSymbolicLink(
            at: workspacePlugins.appendingPathComponent("escape.lua"), withDestinationURL: folder.url.appendingPathComponent("outside.txt"))
        sandbox = try LuaSandbox(
            print: { printed.items.append($0) },
            plugins: PluginSearchPath(folders: [
                .init(url: workspacePlugins, displayName: "plugins"), .init(url: bundled, displayName: "verdict-plugins"),
            ]))
    }

    func run(_ source: String) throws -> LuaValue {
        try sandbox.run(source, chunkName: "experiments/probe.lua")
    }

    @Test func aModuleLoadsOnceAndKeepsItsOwnState() throws {
        #expect(try run("local a = require 'counter' local b = require 'counter' a.bump() return { a == b, b.bump(), b.count }") == [true, 2, 2])
        #expect(try run("return require('counter').count") == 2)  // the same module in the next script
        #expect(printed.items == ["loading counter"])
    }

    @Test func moduleTablesAreReadOnlyForEveryoneElse() throws {
        let attempts = [
            "local c = require 'counter' c.count = 5",
            "local c = require 'counter' rawset(c, 'count', 5)",
            "local c = require 'counter' c.list[1] = 5",
            "local c = require 'counter' table.insert(c.list, 5)",
            "local c = require 'counter' setmetatable(c, {})",
        ]
        for attempt in attempts {
            let error = try #require(throws: ScriptError.self) { try run(attempt) }
            #expect(error.line == 1, "\(attempt): \(error)")
        }
        #expect(try run("local c = require 'counter' local n = 0 for _ in pairs(c) do n = n + 1 end return { n, #c.list, c.list[2], getmetatable(c) }") == [3, 2, 2, "read-only"])
        #expect(try run("return require('counter').count") == 0)
    }

    @Test func aPluginCannotChangeAnotherPluginOrTheScript() throws {
        let result = try run("local m = require 'meddler' return { m.ok, m.err, require('counter').count, leaked_global == nil }")
        #expect(result == [false, "plugins/meddler.lua:2: cannot change a read-only table (a module's tables belong to the module)", 0, true])
    }

    @Test func searchOrderAndMessages() throws {
        #expect(try run("return require('shared.override').from") == "workspace")
        #expect(try run("return require('shared.thing').from") == "library")
        let missing = try #require(throws: ScriptError.self) { try run("\nreturn require 'shared.nothing'") }
        #expect(missing.description == "experiments/probe.lua:2: module \"shared.nothing\" not found (looked for plugins/shared/nothing.lua and verdict-plugins/shared/nothing.lua)")
        for name in ["../outside", "a/b", "", "a..b", "1abc", "os.execute('x')"] {
            let error = try #require(throws: ScriptError.self) { try run("return require \(LuaValue.string(name).luaLiteral())") }
            #expect(error.message.contains("is not a module name"), "\(name): \(error)")
        }
        let escape = try #require(throws: ScriptError.self) { try run("return require 'escape'") }
        #expect(escape.message == "require: plugins/escape.lua points outside plugins/, so it is not loaded")
    }

    @Test func circularRequiresAndBrokenPluginsName() throws {
        let loop = try #require(throws: ScriptError.self) { try run("return require 'loop_a'") }
        #expect(loop.message.contains("require \"loop_a\" is circular"), "\(loop)")
        let broken = try #require(throws: ScriptError.self) { try run("return require 'broken'") }
        #expect(broken.description == "plugins/broken.lua:3: attempt to index a nil value (local 'x')")
        #expect(broken.traceback.contains("experiments/probe.lua:1: in main chunk"))
    }

    @Test func withoutPluginsThereIsNoRequire() throws {
        #expect(try LuaSandbox().run("return require == nil", chunkName: "x.lua") == true)
    }
}
