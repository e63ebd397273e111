import Testing
import VerdictScript

/// The sandbox's guarded string.find/match/gmatch/gsub give exactly what Lua's own give.
@Suite struct PatternDifferentialTests {
    @Test func guardedPatternFunctionsMatchStockLua() throws {
        let sandbox = try LuaSandbox(limits: SandboxLimits(memoryBytes: 256 << 20, instructions: .max, seconds: 120))
        let result = try sandbox.runWithStockStringLibrary(
            try Fixtures.source("pattern_differential.lua"), chunkName: "pattern_differential.lua")
        let compared = try #require(result["compared"].integerValue)
        let differences = try #require(result["differences"].arrayValue)
        #expect(compared > 50_000)
        #expect(differences.isEmpty, "\(differences.prefix(10).compactMap(\.stringValue).joined(separator: "\n"))")
    }
}
