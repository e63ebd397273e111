import Testing
import VerdictScript

/// What a script can and cannot reach.
@Suite struct SandboxBoundaryTests {
    let sandbox: LuaSandbox

    init() throws {
        sandbox = try LuaSandbox(limits: SandboxLimits(memoryBytes: 16 << 20, instructions: 50_000_000, seconds: 30))
    }

    func run(_ source: String) throws -> LuaValue {
        try sandbox.run(source, chunkName: "experiments/probe.lua")
    }

    static let forbidden = [
        "dofile", "loadfile", "require", "collectgarbage", "warn", "io", "os", "debug", "package",
        "module", "loadstring", "setfenv", "getfenv", "newproxy", "gcinfo", "unpack",
        "string.dump", "math.random_state",
    ]

    @Test(arguments: forbidden)
    func forbiddenNameIsAbsent(name: String) throws {
        #expect(try run("return \(name) == nil") == true)
        #expect(try run("return _G.\(name) == nil") == true)
    }

    static let allowed = [
        "assert", "error", "getmetatable", "ipairs", "load", "next", "pairs", "pcall", "print", "rawequal",
        "rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "xpcall",
        "string.find", "string.format", "string.gsub", "string.pack", "table.concat", "table.sort",
        "table.unpack", "math.floor", "math.random", "math.randomseed", "math.tointeger", "utf8.char",
        "utf8.codes", "coroutine.wrap", "coroutine.resume",
    ]

    @Test(arguments: allowed)
    func allowedFunctionIsPresent(name: String) throws {
        #expect(try run("return type(\(name))") == "function")
    }

    @Test func versionAndGlobalTable() throws {
        #expect(try run("return _VERSION") == "Lua 5.4")
        #expect(try run("x = 1 return _G.x == x and _G._G == _G") == true)
    }

    @Test func binaryChunksAreRefused() throws {
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run("\u{1B}Lua\u{54}\u{00}binary", chunkName: "experiments/compiled.lua")
        }
        #expect(error.kind == .syntax)
        #expect(error.description.hasPrefix("experiments/compiled.lua: binary (precompiled) chunks are not allowed"))

        #expect(try run("local f, e = load('\\27Lua') return f == nil and e:find('binary') ~= nil") == true)
        #expect(try run("local f, e = load('return 1', 'x', 'b') return e") == "load: only text chunks can be loaded in Verdict scripts")
        // A reader function that hands over a binary signature is refused too.
        #expect(try run("local done = false local f, e = load(function() if done then return nil end done = true return '\\27Lua' end) return f == nil and e:find('binary') ~= nil") == true)
    }

    @Test func loadDefaultsToTheScriptsOwnEnvironment() throws {
        #expect(try run("secret = 5 return load('return secret')()") == 5)
        #expect(try run("return load('return io')()") == .nil)
        #expect(try run("return load('return x', 'chunk', 't', { x = 7 })()") == 7)
        #expect(try run("local f = load('return 1 +') return f") == .nil)
        #expect(try run("local parts = { 'return ', '4', '2' } local i = 0 return load(function() i = i + 1 return parts[i] end)()") == 42)
    }

    @Test func stringMetatableIsHidden() throws {
        #expect(try run("return getmetatable('')") == false)
        #expect(try run("return (pcall(setmetatable, '', {}))") == false)
    }

    @Test func finalizersAreRefused() throws {
        let error = try #require(throws: ScriptError.self) {
            try run("setmetatable({}, { __gc = function() while true do end end })")
        }
        #expect(error.description == "experiments/probe.lua:1: __gc metamethods are not allowed in Verdict scripts")
        // Other metatables work as usual, and protected ones stay protected.
        #expect(try run("local t = setmetatable({}, { __index = function(_, k) return k .. '!' end }) return t.hi") == "hi!")
        #expect(try run("local t = setmetatable({}, { __metatable = 'locked' }) return (pcall(setmetatable, t, {}))") == false)
    }

    @Test func scriptsCannotChangeWhatOtherScriptsSee() throws {
        let writer = try sandbox.run(try Fixtures.source("isolation_writer.lua"), chunkName: "plugins/writer.lua")
        #expect(writer["metatable_write_blocked"] == true)
        let reader = try sandbox.run(try Fixtures.source("isolation_reader.lua"), chunkName: "plugins/reader.lua")
        let checks = try #require(reader.tableValue)
        #expect(checks.count == 8)
        for (name, passed) in checks {
            #expect(passed == true, "\(name) was changed by another script")
        }
    }

    @Test func randomIsSeededByTheHost() throws {
        let draw = "local t = {} for i = 1, 5 do t[i] = math.random(1, 1000000) end t[6] = math.random() return t"
        let first = try LuaSandbox(seed: 7).run(draw, chunkName: "a.lua")
        let again = try LuaSandbox(seed: 7).run(draw, chunkName: "a.lua")
        let otherChunk = try LuaSandbox(seed: 7).run(draw, chunkName: "b.lua")
        let otherSeed = try LuaSandbox(seed: 8).run(draw, chunkName: "a.lua")
        #expect(first == again)
        #expect(first != otherChunk)
        #expect(first != otherSeed)
        // A second run in the same sandbox starts the sequence over: each run gets a fresh environment.
        let sandbox = try LuaSandbox(seed: 7)
        #expect(try sandbox.run(draw, chunkName: "a.lua") == first)
        #expect(try sandbox.run(draw, chunkName: "a.lua") == first)
    }

    @Test func randomFollowsLuaConventions() throws {
        let checks = try run("""
            local ok = true
            for _ = 1, 2000 do
              local d = math.random(6) ok = ok and d >= 1 and d <= 6 and math.type(d) == 'integer'
              local r = math.random(-3, 3) ok = ok and r >= -3 and r <= 3
              local f = math.random() ok = ok and f >= 0 and f < 1 and math.type(f) == 'float'
              ok = ok and math.type(math.random(0)) == 'integer'
              ok = ok and math.random(math.mininteger, math.maxinteger) ~= nil
            end
            math.randomseed(42) local a = { math.random(100), math.random(100), math.random() }
            math.randomseed(42) local b = { math.random(100), math.random(100), math.random() }
            local empty_ok, empty_err = pcall(math.random, 3, 1)
            return { ok = ok, reseed = a[1] == b[1] and a[2] == b[2] and a[3] == b[3],
                     empty = not empty_ok and empty_err:find('interval is empty') ~= nil }
            """)
        #expect(checks == ["ok": true, "reseed": true, "empty": true])
    }

    @Test func printGoesToTheHost() throws {
        final class Lines: @unchecked Sendable { var items: [String] = [] }
        let lines = Lines()
        let sandbox = try LuaSandbox(print: { lines.items.append($0) })
        _ = try sandbox.run("print('a', 1, 2.5, nil, true) print()", chunkName: "p.lua")
        #expect(lines.items == ["a\t1\t2.5\tnil\ttrue", ""])
    }
}
