import Testing
import VerdictScript

/// Errors name `file:line`, keep a short traceback, and have a stable kind.
@Suite struct ScriptErrorTests {
    let sandbox: LuaSandbox

    init() throws {
        sandbox = try LuaSandbox()
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run("local a = 1\nlocal b = = 2\n", chunkName: "experiments/book-now.lua")
        }
        #expect(error.kind == .syntax)
        #expect(error.file == "experiments/book-now.lua")
        #expect(error.line == 2)
        #expect(error.description == "experiments/book-now.lua:2: unexpected symbol near '='")
    }

    @Test func runtimeErrorHasTraceback() throws {
        let source = """
            local function inner() local t = nil return t.field end
            local function outer() return inner() + 1 end
            local value = outer()
            return value
            """
        let error = try #require(throws: ScriptError.self) {
            try sandbox.run(source, chunkName: "plugins/trades/electrical.lua")
        }
        #expect(error.kind == .runtime)
        #expect(error.description == "plugins/trades/electrical.lua:1: attempt to index a nil value (local 't')")
        #expect(error.traceback.first == "plugins/trades/electrical.lua:1: in upvalue 'inner'")
        #expect(error.traceback.contains("plugins/trades/electrical.lua:2: in local 'outer'"))
        #expect(error.traceback.contains("plugins/trades/electrical.lua:3: in main chunk"))
    }

    @Test func errorWithLevelPointsAtTheCaller() throws {
        let source = "local function check(x) if not x then error('x is required', 2) end end\n\ncheck(nil)\n"
        let error = try #require(throws: ScriptError.self) { try sandbox.run(source, chunkName: "e.lua") }
        #expect(error.description == "e.lua:3: x is required")
    }

    @Test func nonStringErrorValues() throws {
        let table = try #require(throws: ScriptError.self) { try sandbox.run("error({ code = 1 })", chunkName: "t.lua") }
        #expect(table.message == "(error object is a table value)")
        #expect(table.file == "t.lua")
        let number = try #require(throws: ScriptError.self) { try sandbox.run("error(42, 0)", chunkName: "n.lua") }
        #expect(number.message == "42")
        let bare = try #require(throws: ScriptError.self) { try sandbox.run("error('bare', 0)", chunkName: "b.lua") }
        #expect(bare.description == "b.lua: bare")
    }

    @Test func declarationErrors() throws {
        let twice = try #require(throws: ScriptError.self) {
            try sandbox.declaration("workspace", source: "workspace { a = 1 }\nworkspace { a = 2 }\n", chunkName: "verdict.lua")
        }
        #expect(twice.description == "verdict.lua:2: workspace is declared twice; the first declaration is at verdict.lua:1")

        let nothing = try #require(throws: ScriptError.self) {
            try sandbox.declaration("workspace", source: "local x = 1", chunkName: "verdict.lua")
        }
        #expect(nothing.kind == .declaration)
        #expect(nothing.description == "verdict.lua: declares nothing: the script must call workspace { ... }")

        let notTable = try #require(throws: ScriptError.self) {
            try sandbox.declaration("workspace", source: "\nworkspace 'shop'", chunkName: "verdict.lua")
        }
        #expect(notTable.description == "verdict.lua:2: workspace expects one table, as in workspace { ... }; got string")

        // A declaration keeps functions (a KPI's compute); a coroutine is still not data.
        let withFunction = try sandbox.declaration("workspace", source: "workspace { f = function() end }", chunkName: "verdict.lua")
        #expect(withFunction.value["f"].typeName == "function")
        let badValue = try #require(throws: ScriptError.self) {
            try sandbox.declaration("workspace", source: "workspace { co = coroutine.create(print) }", chunkName: "verdict.lua")
        }
        #expect(badValue.description == "verdict.lua:1: argument #1.co is a thread; only data (nil, booleans, numbers, strings and tables of them) can be used here")

        let good = try sandbox.declaration("workspace", source: "-- settings\nreturn workspace {\n  a = 1,\n}", chunkName: "verdict.lua")
        #expect(good.value == ["a": 1])
        #expect(good.location == SourceLocation(file: "verdict.lua", line: 2))
    }
}
