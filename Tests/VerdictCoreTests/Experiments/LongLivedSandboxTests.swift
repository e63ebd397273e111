import Foundation
import Testing
import VerdictScript
import VerdictTestSupport
@testable import VerdictCore

/// A long-lived process (the server) owns one sandbox and reloads and evaluates scripts in it
/// again and again: what each evaluation makes, it lets go.
@Suite struct LongLivedSandboxTests {
    @Test func tenThousandEvaluationsOfACustomKPIKeepMemoryFlat() async throws {
        let fixture = try IngestFixture(timeZone: "UTC")
        let template = try String(contentsOf: Repository.file("experiments/templates/first-time-fix.lua"), encoding: .utf8)
        let file = try fixture.folder.write(template, to: "experiments/ftf.lua")
        let rows = (0..<40).map { index in
            #"{"event":"\#(index % 4 == 0 ? "callback" : "job_completed")","timestamp":"2026-11-0\#(2 + index % 7)T15:00:00Z","change_id":"CHG-0001","user_id":"u\#(index)","value":\#(100 + index)}"#
        }
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "jobs.jsonl")
        let workspace = fixture.workspace
        let store = fixture.store
        let host = try ScriptHost { () throws(ScriptError) in try workspace.makeSandbox() }

        var baseline: (memory: Int, keptFunctions: Int, hostFunctions: Int)?
        var outcome = ""
        for round in 1...10_000 {
            outcome = try await host.withSandbox { sandbox in
                // As a server would: load the sealed script afresh, evaluate it, drop both.
                let (declaration, _) = try ExperimentLoader(workspace: workspace).loadKeepingSandbox(file, in: sandbox)
                let evaluator = Evaluator(store: store, declaration: declaration, settings: workspace.settings, sandbox: sandbox)
                // Every 20th round the whole report; otherwise the custom KPI itself, as a daily
                // check would (the report's SQL takes most of a round and leaks nothing of Lua's).
                if round % 20 == 0 {
                    return try evaluator.report(from: LocalDay("2026-11-02")!, to: LocalDay("2026-11-08")!).verdict.outcome.rawValue
                }
                guard case .custom(let compute) = declaration.primary.kind else { return "no custom KPI" }
                let scope = QueryScope(changeID: declaration.changeID, fromDay: LocalDay("2026-11-02")!.number, toDay: LocalDay("2026-11-08")!.number)
                let result = try evaluator.customKPIs!.compute(compute, scope: scope)
                return "\(result)".isEmpty ? "" : "pass"
            }
            if round == 500 { baseline = await host.footprint() }
        }
        let end = await host.footprint()
        let start = try #require(baseline)
        #expect(["pass", "fail", "inconclusive"].contains(outcome))
        #expect(end.keptFunctions == start.keptFunctions, "function references grew: \(start.keptFunctions) → \(end.keptFunctions)")
        #expect(end.hostFunctions == start.hostFunctions, "host functions grew: \(start.hostFunctions) → \(end.hostFunctions)")
        #expect(end.memory <= start.memory + start.memory / 10, "Lua memory grew: \(start.memory) → \(end.memory) bytes")
    }
}
