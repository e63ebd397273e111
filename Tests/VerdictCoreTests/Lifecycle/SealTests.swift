import Crypto
import Foundation
import Testing
import VerdictScript
import VerdictTestSupport
@testable import VerdictCore

/// The seal: recomputed from docs/lifecycle.md's description, stable for the same inputs, and
/// different when the script or any plugin it requires changes.
@Suite struct SealTests {
    /// A workspace whose experiment requires a workspace plugin, which requires the bundled kpi module.
    func setUp() throws -> (IngestFixture, URL) {
        let fixture = try IngestFixture(timeZone: "UTC")
        try fixture.folder.write(
            """
            local kpi = require "verdict.kpi"
            local M = {}
            function M.callbacks() return kpi.count { event = "callback", better = "lower" } end
            return M
            """, to: "plugins/crew.lua")
        let script = try fixture.folder.write(
            """
            local kpi = require "verdict.kpi"
            local crew = require "crew"
            return experiment {
              change_id  = "CHG-0042",
              title      = "Parts checklist",
              hypothesis = "A checklist the evening before means fewer callbacks.",
              design     = ab { flag = "parts_checklist", control = "off", treatment = "on", split = 0.5 },
              window     = days(7),
              primary    = kpi.conversion { from = "job_completed", to = "review_received", pass = lift_at_least(0.05) },
              leading    = crew.callbacks(),
              guardrails = { kpi.mean { event = "job_completed", of = "value", pass = no_worse_than(25.5) } },
            }
            """, to: "experiments/checklist.lua")
        return (fixture, script)
    }

    /// The seal as docs/lifecycle.md describes it, written here from the description alone.
    static func sealFromTheDocumentation(declared: String, script: (String, String), plugins: [(String, String)]) -> String {
        var bytes = Data("verdict-seal 1\n".utf8)
        func add(_ line: String, _ text: String) {
            bytes.append(Data("\(line) \(Data(text.utf8).count)\n".utf8))
            bytes.append(Data(text.utf8))
            bytes.append(0x0A)
        }
        add("declaration", declared)
        add("script \(script.0)", script.1)
        for (path, text) in plugins.sorted(by: { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }) { add("plugin \(path)", text) }
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    @Test func theDocumentedFormGivesTheSameSeal() throws {
        let (fixture, script) = try setUp()
        let (declaration, seal, _) = try ExperimentLoader(workspace: fixture.workspace).loadSealed(script)
        #expect(seal.plugins.map(\.path) == ["plugins/crew.lua", "verdict-plugins/verdict/kpi.lua"])
        let kpiText = try String(contentsOf: Repository.file("plugins/verdict/kpi.lua"), encoding: .utf8)
        let expected = Self.sealFromTheDocumentation(
            declared: declaration.declared,
            script: ("experiments/checklist.lua", try String(contentsOf: script, encoding: .utf8)),
            plugins: [
                ("verdict-plugins/verdict/kpi.lua", kpiText),
                ("plugins/crew.lua", try String(contentsOf: fixture.folder.url.appendingPathComponent("plugins/crew.lua"), encoding: .utf8)),
            ])
        #expect(seal.hash == expected)
        // The declaration's canonical JSON, as documented.
        #expect(declaration.declared.hasPrefix(#"{"change_id":"CHG-0042","#))
        #expect(declaration.declared.contains(#""window":{"__verdict":"duration","days":7}"#))
        #expect(declaration.declared.contains(#""split":0.5,"#) && declaration.declared.contains(#""value":25.5}"#))
        #expect(!declaration.declared.contains("\": ") && !declaration.declared.contains(", \""))
    }

    @Test func theSameInputsGiveTheSameSeal() throws {
        let (fixture, script) = try setUp()
        let loader = ExperimentLoader(workspace: fixture.workspace)
        #expect(try loader.loadSealed(script).seal.hash == loader.loadSealed(script).seal.hash)
    }

    @Test func aChangedPluginOrScriptChangesTheSeal() throws {
        let (fixture, script) = try setUp()
        let loader = ExperimentLoader(workspace: fixture.workspace)
        let before = try loader.loadSealed(script).seal
        let plugin = fixture.folder.url.appendingPathComponent("plugins/crew.lua")
        try (String(contentsOf: plugin, encoding: .utf8) + "-- a comment\n").write(to: plugin, atomically: true, encoding: .utf8)
        let afterPlugin = try loader.loadSealed(script).seal
        #expect(afterPlugin.hash != before.hash)
        #expect(afterPlugin.declared == before.declared && afterPlugin.script == before.script)
        try (String(contentsOf: script, encoding: .utf8) + "\n").write(to: script, atomically: true, encoding: .utf8)
        #expect(try loader.loadSealed(script).seal.hash != afterPlugin.hash)
    }

    @Test func canonicalJSON() {
        let value: LuaValue = [
            "b": .array([.integer(1), .number(0.1), .number(1e-7), .boolean(true)]), "a": .string("x\"y\\z\n\u{1}é"),
            "é": .table([:]), "Z": .nil,
        ]
        #expect(CanonicalJSON.text(of: value) == #"{"Z":null,"a":"x\"y\\z\n\u0001é","b":[1,0.1,1e-7,true],"é":{}}"#)
    }
}
