import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictStore
import VerdictTestSupport

/// The custom-KPI query handle on a dataset whose answers are known.
@Suite(.serialized) struct QueryHandleTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// CHG-0007, two arms, two days (2026-11-02 and 03, Chicago), two cohorts; and another change.
    static let dataset: String = {
        var lines: [String] = []
        func add(_ event: String, _ day: Int, _ flag: String, cohort: String = "new_customer", user: String, value: Double? = nil,
                 latency: Int? = nil, status: String = "success", change: String = "CHG-0007", crew: String = "a") {
            var fields = [
                #""event":"\#(event)""#, #""timestamp":"2026-11-0\#(day)T12:00:00-06:00""#, #""change_id":"\#(change)""#,
                #""version_flag":"\#(flag)""#, #""user_cohort":"\#(cohort)""#, #""user_id":"\#(user)""#, #""status":"\#(status)""#,
                #""props":{"crew":"\#(crew)"}"#,
            ]
            if let value { fields.append(#""value":\#(value)"#) }
            if let latency { fields.append(#""latency_ms":\#(latency)"#) }
            lines.append("{" + fields.joined(separator: ",") + "}")
        }
        // Treatment ("on"), day 2: 4 jobs (values 100, 200, 300, 400), 1 callback; day 3: 2 jobs, 1 returning.
        for (index, value) in [100.0, 200, 300, 400].enumerated() { add("job_completed", 2, "on", user: "u\(index % 3)", value: value, latency: 10 * (index + 1), crew: index < 2 ? "a" : "b") }
        add("callback", 2, "on", user: "u1")
        add("job_completed", 3, "on", user: "u5", value: 500, latency: 50)
        add("job_completed", 3, "on", cohort: "returning", user: "u6", value: 600, latency: 60, status: "error:timeout")
        // Control ("off"): 3 jobs, 2 callbacks.
        for value in [50.0, 60, 70] { add("job_completed", 2, "off", user: "c\(Int(value))", value: value) }
        add("callback", 2, "off", user: "c50")
        add("callback", 3, "off", user: "c60")
        // Another change's events must never be seen.
        add("job_completed", 2, "on", user: "x", value: 9999, change: "CHG-0008")
        return lines.joined(separator: "\n") + "\n"
    }()

    func setUp() throws -> (IngestFixture, LuaSandbox, QueryHandle) {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        #expect(try fixture.ingest(Self.dataset, as: "data.jsonl").outcome.stored == 13)
        let sandbox = try fixture.workspace.makeSandbox()
        return (fixture, sandbox, QueryHandle(sandbox: sandbox, store: fixture.store))
    }

    func function(_ body: String, in sandbox: LuaSandbox) throws -> LuaFunction {
        let declared = try sandbox.declaration("probe", source: "return probe { f = function(q) \(body) end }", chunkName: "plugins/probe.lua")
        guard case .function(let f) = declared.value["f"] else { throw ScriptError(kind: .runtime, message: "no function in \(declared.value)") }
        return f
    }

    static let treatment = QueryScope(changeID: "CHG-0007", versionFlag: "on", fromDay: LocalDay("2026-11-02")!.number, toDay: LocalDay("2026-11-03")!.number)

    @Test func everyMethodOnTheKnownDataset() throws {
        let (fixture, sandbox, handle) = try setUp()
        defer { withExtendedLifetime(fixture) {} }
        let f = try function(
            """
            return {
              jobs = q:count { event = "job_completed" },
              callbacks = q:count { event = "callback" },
              ok = q:count { event = "job_completed", status = "success" },
              crew_b = q:count { event = "job_completed", props = { crew = "b" } },
              returning = q:count { event = "job_completed", cohort = "returning" },
              revenue = q:sum { event = "job_completed" },
              mean_latency = q:mean { event = "job_completed", of = "latency_ms" },
              median = q:quantile { event = "job_completed", p = 0.5 },
              p90 = q:quantile { event = "job_completed", p = 0.9 },
              users = q:distinct_users { event = "job_completed" },
              first_two = q:values { event = "job_completed", limit = 2 },
              everything = q:count {},
            }
            """, in: sandbox)
        let result = try handle.evaluate(f, scope: Self.treatment)
        #expect(result == [
            "jobs": 6, "callbacks": 1, "ok": 5, "crew_b": 2, "returning": 1, "revenue": 2100.0, "mean_latency": 35.0,
            "median": 350.0, "p90": 550.0, "users": 5, "first_two": [100.0, 200.0], "everything": 7,
        ])
        // One day only, and the other arm.
        let day2 = QueryScope(changeID: "CHG-0007", versionFlag: "on", fromDay: LocalDay("2026-11-02")!.number, toDay: LocalDay("2026-11-02")!.number)
        #expect(try handle.evaluate(try function("return q:count { event = 'job_completed' }", in: sandbox), scope: day2) == 4)
        var control = Self.treatment
        control.versionFlag = "off"
        #expect(try handle.evaluate(try function("return q:count { event = 'callback' }", in: sandbox), scope: control) == 2)
        // A day set (a switchback arm): only those days are seen.
        var daySet = Self.treatment
        daySet.days = [LocalDay("2026-11-03")!.number]
        #expect(try handle.evaluate(try function("return q:count { event = 'job_completed' }", in: sandbox), scope: daySet) == 2)
        // Cohort scope: a filter cannot widen it.
        var newOnly = Self.treatment
        newOnly.cohorts = ["new_customer"]
        #expect(try handle.evaluate(try function("return q:count { event = 'job_completed', cohort = 'returning' }", in: sandbox), scope: newOnly) == 0)
    }

    @Test func filtersAreValuesNotSQL() throws {
        let (fixture, sandbox, handle) = try setUp()
        defer { withExtendedLifetime(fixture) {} }
        let f = try function(#"return q:count { event = "job_completed' OR '1'='1" }"#, in: sandbox)
        #expect(try handle.evaluate(f, scope: Self.treatment) == 0)
        let props = try function(#"return q:count { props = { crew = "a') OR 1=1 --" } }"#, in: sandbox)
        #expect(try handle.evaluate(props, scope: Self.treatment) == 0)
        let badName = try function(#"return q:count { props = { ["crew') --"] = "a" } }"#, in: sandbox)
        #expect(throws: ScriptError.self) { try handle.evaluate(badName, scope: Self.treatment) }
    }

    @Test func mistakesInComputeAreReportedWithTheirLine() throws {
        let (fixture, sandbox, handle) = try setUp()
        defer { withExtendedLifetime(fixture) {} }
        let cases: [(String, String)] = [
            ("return q.count { event = 'x' }", "plugins/probe.lua:1: call count with a colon, as in q:count { ... }"),
            ("return q:count { evnt = 'x' }", "plugins/probe.lua:1: q:count: unknown filter 'evnt' (did you mean 'event'?); the filters are event, status, cohort, props"),
            ("return q:quantile { event = 'x' }", "plugins/probe.lua:1: q:quantile needs p, a number from 0 to 1"),
            ("return q:values { limit = 1000000 }", "plugins/probe.lua:1: q:values: limit is 1 to 10000"),
            ("return q:sum { of = 'price' }", "plugins/probe.lua:1: q:sum: of must be \"value\" or \"latency_ms\""),
        ]
        for (body, message) in cases {
            let error = try #require(throws: ScriptError.self) { try handle.evaluate(try function(body, in: sandbox), scope: Self.treatment) }
            #expect(error.description == message)
        }
        let shape = try #require(throws: ScriptError.self) {
            try handle.compute(try function("return { successes = 5, trials = 3 }", in: sandbox), scope: Self.treatment)
        }
        #expect(shape.kind == .invalidValue)
    }

    /// trades.electrical's first-time fix through a whole experiment script.
    @Test func firstTimeFixTemplate() throws {
        let (fixture, _, _) = try setUp()
        let template = try String(contentsOf: Self.repository.appendingPathComponent("experiments/templates/first-time-fix.lua"), encoding: .utf8)
        let file = try fixture.folder.write(template.replacingOccurrences(of: "CHG-0001", with: "CHG-0007"), to: "experiments/ftf.lua")
        let (declaration, sandbox) = try ExperimentLoader(workspace: fixture.workspace).loadKeepingSandbox(file)
        guard case .custom(let compute) = declaration.primary.kind else {
            Issue.record("the primary is not a custom KPI")
            return
        }
        let handle = QueryHandle(sandbox: sandbox, store: fixture.store)
        #expect(try handle.compute(compute, scope: Self.treatment) == .proportion(successes: 5, trials: 6))
        var control = Self.treatment
        control.versionFlag = "off"
        #expect(try handle.compute(compute, scope: control) == .proportion(successes: 1, trials: 3))
    }
}
