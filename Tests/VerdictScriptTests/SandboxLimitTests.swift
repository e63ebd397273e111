import Testing
import VerdictScript

/// Every hostile script ends with the error of the right limit, and the same sandbox then runs
/// a normal script correctly.
@Suite struct SandboxLimitTests {
    /// Small limits so that the tests are quick; the behaviour does not depend on the sizes.
    static let limits = SandboxLimits(memoryBytes: 16 << 20, instructions: 20_000_000, seconds: 30)

    static let cases: [(fixture: String, kind: ScriptError.Kind, line: Int?)] = [
        ("infinite_loop", .instructionLimit, 2),
        ("pcall_loop", .instructionLimit, nil),
        ("xpcall_handler_loop", .instructionLimit, nil),
        ("coroutine_loop", .instructionLimit, nil),
        ("coroutine_wrap_pcall_loop", .instructionLimit, nil),
        ("table_bomb", .memoryLimit, 3),
        ("string_rep_bomb", .memoryLimit, 2),
        ("concat_bomb", .memoryLimit, 3),
        ("pcall_memory_bomb", .memoryLimit, nil),
        ("recursion", .memoryLimit, 2),
        ("pattern_find", .instructionLimit, 2),
        ("pattern_method", .instructionLimit, 2),
        ("pattern_gsub", .instructionLimit, 2),
        ("pattern_balance", .instructionLimit, 2),
        ("table_move", .instructionLimit, 2),
        ("table_insert_len", .instructionLimit, 3),
        ("table_remove_len", .instructionLimit, 3),
    ]

    @Test(arguments: cases)
    func hostileScriptIsStopped(fixture: String, kind: ScriptError.Kind, line: Int?) throws {
        let sandbox = try LuaSandbox(limits: Self.limits)
        let chunk = "plugins/hostile/\(fixture).lua"
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run(try Fixtures.source("hostile/\(fixture).lua"), chunkName: chunk)
        }
        #expect(error.kind == kind, "\(error)")
        #expect(error.file == chunk)
        if let line { #expect(error.line == line, "\(error)") }
        let limitWord = ["memory_limit": "memory limit", "instruction_limit": "instruction limit"][kind.rawValue]!
        #expect(error.message.hasPrefix("\(limitWord) exceeded"), "\(error)")

        // The sandbox is healthy: a normal script runs, with fresh limits.
        let value = try sandbox.run(
            "local t = {} for i = 1, 1000 do t[i] = ('x'):rep(i % 7) end return #table.concat(t) .. ('ab'):upper()",
            chunkName: "plugins/normal.lua")
        #expect(value == "3003AB")
    }

    /// A reader-fed `load` whose chunk name only the call holds, with memory near the cap: the
    /// emergency collection the parser's copy of the name needs must not free the name first
    /// (it did: the piece replaced the name's stack slot, and the copy read unmapped memory).
    /// With the standard 64 MB cap, which the fixture is sized for.
    @Test func loadKeepsItsChunkNameThroughAnEmergencyCollection() throws {
        let sandbox = try LuaSandbox(limits: .standard)
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run(try Fixtures.source("hostile/load_reader_name.lua"), chunkName: "plugins/load_reader_name.lua")
        }
        #expect(error.kind == .memoryLimit, "\(error)")
        #expect(error.description.hasPrefix("plugins/load_reader_name.lua:12: memory limit exceeded"), "\(error)")
        #expect(try sandbox.run("return load(function() return nil end, 'empty') ~= nil", chunkName: "next.lua") == true)
    }

    @Test func runawayRecursionIsNamed() throws {
        let sandbox = try LuaSandbox(limits: Self.limits)
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run(try Fixtures.source("hostile/recursion.lua"), chunkName: "recursion.lua")
        }
        #expect(error.message.contains("runaway recursion"), "\(error)")
    }

    /// With the instruction budget out of the way, the wall clock stops a long call inside
    /// Lua's C library, where no count hook can fire.
    @Test(arguments: ["pattern_find", "pattern_method", "pattern_gsub", "pattern_balance", "table_move"])
    func wallClockStopsLongLibraryCalls(fixture: String) throws {
        let sandbox = try LuaSandbox(
            limits: SandboxLimits(memoryBytes: 16 << 20, instructions: .max, seconds: 0.3))
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run(try Fixtures.source("hostile/\(fixture).lua"), chunkName: "slow.lua")
        }
        #expect(error.kind == .timeLimit, "\(error)")
        #expect(error.description == "slow.lua:2: time limit exceeded: the script ran longer than 0.3 s")
        #expect(try sandbox.run("return 6 * 7", chunkName: "next.lua") == 42)
    }

    @Test func wallClockStopsPlainLoops() throws {
        let sandbox = try LuaSandbox(limits: SandboxLimits(memoryBytes: 16 << 20, instructions: .max, seconds: 0.2))
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run("local n = 0\nwhile true do n = n + 1 end", chunkName: "loop.lua")
        }
        #expect(error.kind == .timeLimit)
        #expect(error.line == 2)
    }

    /// A plain find is linear (two-way search), so a long near-miss needle finishes at once.
    @Test func plainFindOfALongNeedleFinishes() throws {
        let sandbox = try LuaSandbox(limits: Self.limits)
        #expect(try sandbox.run(try Fixtures.source("hostile/plain_find.lua"), chunkName: "find.lua") == .nil)
    }

    /// Limits are per call: many calls that each stay under the budget all succeed.
    @Test func limitsResetBetweenCalls() throws {
        let sandbox = try LuaSandbox(limits: SandboxLimits(memoryBytes: 16 << 20, instructions: 2_000_000, seconds: 30))
        for _ in 0..<5 {
            #expect(try sandbox.run("local n = 0 for i = 1, 200000 do n = n + i end return n", chunkName: "sum.lua") == 20_000_100_000)
        }
    }

    /// A memory limit caught by pcall still fails the script, even when it then finishes.
    @Test func swallowedMemoryErrorStillFails() throws {
        let sandbox = try LuaSandbox(limits: Self.limits)
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run("local ok = pcall(string.rep, 'x', 1e9)\nreturn ok", chunkName: "swallow.lua")
        }
        #expect(error.kind == .memoryLimit)
        #expect(error.line == 1)
    }

    /// Garbage does not count against the cap: the emergency collection makes room.
    @Test func garbageIsCollectedNotCounted() throws {
        let sandbox = try LuaSandbox(limits: Self.limits)
        let value = try sandbox.run(
            "local n = 0 for round = 1, 40 do local t = {} for i = 1, 20000 do t[i] = { i } end n = n + #t end return n",
            chunkName: "churn.lua")
        #expect(value == 800_000)
    }
}
