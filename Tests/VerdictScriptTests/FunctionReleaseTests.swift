import Testing
@testable import VerdictScript

/// Functions a script hands the host are kept while a value holds them, and let go after.
@Suite struct FunctionReleaseTests {
    @Test func droppedFunctionsAreReleased() throws {
        let sandbox = try LuaSandbox()
        let before = sandbox.keptFunctionCount
        var declared: Declaration? = try sandbox.declaration(
            "probe", source: "return probe { f = function(x) return x * 2 end, g = function() end }", chunkName: "p.lua")
        #expect(sandbox.keptFunctionCount == before + 2)
        guard case .function(let f) = declared!.value["f"] else { Issue.record("no function"); return }
        #expect(try sandbox.call(f, [.integer(21)]) == .integer(42))
        declared = nil
        // f still holds its function; g is free.
        #expect(sandbox.keptFunctionCount == before + 1)
        #expect(try sandbox.call(f, [.integer(2)]) == .integer(4))
        withExtendedLifetime(f) {}
    }

    @Test func declarationFunctionsOnlyWorkWhileTheScriptLoads() throws {
        let sandbox = try LuaSandbox()
        let declared = try sandbox.declaration(
            "probe", source: "local keep = probe\nreturn probe { later = function() return keep { } end }", chunkName: "p.lua")
        guard case .function(let later) = declared.value["later"] else { Issue.record("no function"); return }
        #expect(throws: ScriptError.self) { try sandbox.call(later, []) }
        do {
            _ = try sandbox.call(later, [])
        } catch {
            #expect(error.description.contains("only works while its script loads"))
        }
    }
}
