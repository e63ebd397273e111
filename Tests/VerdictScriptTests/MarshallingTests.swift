import Testing
import VerdictScript

/// Lua values to Swift values and back, and the errors that name the failing field.
@Suite struct MarshallingTests {
    let sandbox: LuaSandbox

    init() throws {
        sandbox = try LuaSandbox()
    }

    func lua(_ source: String) throws -> LuaValue {
        try sandbox.run(source, chunkName: "m.lua")
    }

    @Test func scalars() throws {
        #expect(try lua("return nil") == .nil)
        #expect(try lua("return") == .nil)
        #expect(try lua("return true") == true)
        #expect(try lua("return 42") == .integer(42))
        #expect(try lua("return 42.0") == .number(42.0))
        #expect(try lua("return math.maxinteger") == .integer(.max))
        #expect(try lua("return -0.5e-300") == .number(-0.5e-300))
        #expect(try lua("return 'héllo ✓'") == "héllo ✓")
        #expect(try lua("return 'a\\0b'") == .string("a\u{0}b"))
    }

    @Test func tables() throws {
        #expect(try lua("return { 1, 'two', 3.5, false }") == [1, "two", 3.5, false])
        #expect(try lua("return { a = 1, ['b c'] = { x = true } }") == ["a": 1, "b c": ["x": true]])
        #expect(try lua("return {}") == .table([:]))
        #expect(try lua("return { [1] = 'a', [2] = 'b' }") == ["a", "b"])
        #expect(try lua("return { list = { { id = 1 }, { id = 2 } } }") == ["list": [["id": 1], ["id": 2]]])
        // A table reachable twice without a cycle is fine.
        #expect(try lua("local s = { 1 } return { a = s, b = s }") == ["a": [1], "b": [1]])
    }

    static let roundTrips: [LuaValue] = [
        .nil, true, false, 0, -7, .integer(.min), 3.25, .number(-0.0), "", "text with \"quotes\" and \n newline",
        [1, 2, 3], ["k": "v", "nested": ["deep": [["x": 1.5]]]], .table([:]), ["mixed": [1, "a", true, ["t": 2]]],
    ]

    /// Swift → Lua → Swift, through a host function.
    @Test(arguments: roundTrips)
    func valueSurvivesTheRoundTrip(value: LuaValue) throws {
        let result = try sandbox.run(
            "return echo(input())", chunkName: "r.lua",
            globals: [
                "input": { _ in value },
                "echo": { call in call.arguments.first ?? .nil },
            ])
        #expect(result == value)
    }

    /// Swift → Lua literal text → Lua → Swift.
    @Test(arguments: roundTrips)
    func luaLiteralReadsBack(value: LuaValue) throws {
        #expect(try lua("return " + value.luaLiteral()) == value)
    }

    static let failures: [(source: String, message: String)] = [
        ("return print", "m.lua: result is a function; only data (nil, booleans, numbers, strings and tables of them) can be used here"),
        ("return { primary = { pass = print } }", "m.lua: result.primary.pass is a function; only data (nil, booleans, numbers, strings and tables of them) can be used here"),
        ("return { list = { 1, coroutine.create(print) } }", "m.lua: result.list[2] is a thread; only data (nil, booleans, numbers, strings and tables of them) can be used here"),
        ("local t = {} t.self = t return t", "m.lua: result.self contains itself (a cycle); only tree-shaped tables can be used here"),
        ("local a = { b = {} } a.b.back = a return { a = a }", "m.lua: result.a.b.back contains itself (a cycle); only tree-shaped tables can be used here"),
        ("return { 1, 2, name = 'x' }", "m.lua: result mixes list items with named fields (such as \"name\"); use one or the other"),
        ("return { [1] = 'a', [3] = 'c' }", "m.lua: result is a list with a hole: it has 2 items but no item [2]"),
        ("return { [1.5] = true }", "m.lua: result has a key that is a number 1.5; keys must be names or list positions"),
        ("return { [true] = 1 }", "m.lua: result has a key that is a boolean; keys must be names or list positions"),
        ("return { name = '\\xff\\xfe' }", "m.lua: result.name is not valid UTF-8 text"),
        ("return { ['odd key'] = print }", "m.lua: result[\"odd key\"] is a function; only data (nil, booleans, numbers, strings and tables of them) can be used here"),
        ("local t = {} local c = t for i = 1, 100 do c.next = {} c = c.next end return t", "m.lua: result" + String(repeating: ".next", count: 64) + " is nested more than 64 tables deep"),
    ]

    @Test(arguments: failures)
    func unconvertibleValueNamesItsPath(source: String, message: String) throws {
        let error = try #require(throws: ScriptError.self) { try lua(source) }
        #expect(error.kind == .invalidValue)
        #expect(error.description == message)
    }

    @Test func jsonRendering() throws {
        let value: LuaValue = ["b": [1, 2.5, "x\"y\n\u{1}"], "a": .nil, "c": .table([:]), "d": .array([])]
        #expect(try value.json(pretty: false) == #"{"a":null,"b":[1,2.5,"x\"y\n\u0001"],"c":{},"d":[]}"#)
        #expect(try LuaValue.number(0.1).json() == "0.1")
        let error = try #require(throws: ScriptError.self) { try LuaValue.table(["rate": .number(.nan)]).json() }
        #expect(error.message == "result.rate is nan (not a finite number), which JSON cannot represent")
    }

    @Test func accessors() {
        let value: LuaValue = ["n": 3, "f": 2.0, "g": 2.5, "s": "x", "list": [1], "empty": .table([:])]
        #expect(value["n"].integerValue == 3)
        #expect(value["f"].integerValue == 2)
        #expect(value["g"].integerValue == nil)
        #expect(value["g"].doubleValue == 2.5)
        #expect(value["s"].stringValue == "x")
        #expect(value["empty"].arrayValue == [])
        #expect(value["missing"] == .nil)
        #expect(value["list"].typeName == "table")
    }
}

/// Functions in a declaration are kept and can be called later, under the same limits.
@Suite struct FunctionReferenceTests {
    @Test func declaredFunctionsCanBeCalledLater() throws {
        let sandbox = try LuaSandbox(limits: SandboxLimits(memoryBytes: 16 << 20, instructions: 5_000_000, seconds: 30))
        let declaration = try sandbox.declaration(
            "thing",
            source: """
                local offset = 10
                return thing {
                  add = function(row) return { total = row.a + row.b + offset } end,
                  fail = function() error("bad row") end,
                  spin = function() while true do end end,
                }
                """,
            chunkName: "plugins/thing.lua")
        guard case .function(let add) = declaration.value["add"], case .function(let fail) = declaration.value["fail"],
            case .function(let spin) = declaration.value["spin"]
        else {
            Issue.record("functions were not kept: \(declaration.value)")
            return
        }
        #expect(try sandbox.call(add, [["a": 1, "b": 2]]) == ["total": 13])
        let error = try #require(throws: ScriptError.self) { try sandbox.call(fail, []) }
        #expect(error.description == "plugins/thing.lua:4: bad row")
        let limit = try #require(throws: ScriptError.self) { try sandbox.call(spin, []) }
        #expect(limit.kind == .instructionLimit)
        #expect(try sandbox.call(add, [["a": 5, "b": 5]]) == ["total": 20])  // healthy after the limit
        // Another sandbox cannot call it, and data outside declarations still refuses functions.
        #expect(throws: ScriptError.self) { try LuaSandbox().call(add, []) }
        #expect(throws: ScriptError.self) { try sandbox.run("return { f = print }", chunkName: "x.lua") }
        #expect(throws: ScriptError.self) { try LuaValue.function(add).json() }
    }
}
