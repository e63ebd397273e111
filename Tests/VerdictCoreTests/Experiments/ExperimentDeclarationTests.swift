import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictTestSupport

/// Experiment scripts load into declarations; every mistake names its field path and line.
@Suite struct ExperimentDeclarationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var template: String {
        get throws { try String(contentsOf: repository.appendingPathComponent("experiments/templates/conversion.lua"), encoding: .utf8) }
    }

    /// A workspace whose scripts find the repository's plugin library.
    func load(_ source: String, name: String = "book-now") throws -> ExperimentDeclaration {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "Shop", timeZone: "America/Chicago")
        let file = try folder.write(source, to: "experiments/\(name).lua")
        return try ExperimentLoader(workspace: workspace).load(file)
    }

    @Test func templateLoadsIntoItsDeclaration() throws {
        let declaration = try load(try Self.template)
        #expect(declaration.changeID == "CHG-0001")
        #expect(declaration.design == .ab(flag: "book_now_button", control: "off", treatment: "on", split: 0.5))
        #expect(declaration.windowDays == 7)
        #expect(declaration.cohorts == ["new_customer"])
        #expect(declaration.primary.kind == .conversion(from: "quote_viewed", to: "appointment_booked"))
        #expect(declaration.primary.rule == .liftAtLeast(0.05))
        #expect(declaration.primary.better == .higher)
        #expect(declaration.leading.kind == .dailyCount(event: "book_now_click"))
        #expect(declaration.leading.filter.status == "success")
        #expect(declaration.guardrails.count == 1)
        #expect(declaration.guardrails[0].kind == .errorRate(event: "booking_submit"))
        #expect(declaration.guardrails[0].better == .lower)
        #expect(declaration.guardrails[0].maxIncrease == 0.005)
        #expect(declaration.safety == Safety(checkHours: [24, 48, 72], minimumEvents: 30, onBreach: .throttle(0.1), onSecondBreach: .rollback))
        #expect(declaration.expectedLift == 0.08)
        #expect(declaration.ifInconclusive == .rollback)
        #expect(declaration.location == SourceLocation(file: "experiments/book-now.lua", line: 5))
    }

    static let mistakes: [(from: String, to: String, message: String)] = [
        ("  window     = days(7),", "  windw      = days(7),", "experiments/book-now.lua:12: windw: unknown field (did you mean 'window'?)"),
        ("pass = lift_at_least(0.05)", "pass = 0.05", "experiments/book-now.lua:16: primary.pass: expected a rule such as lift_at_least(0.05), got number 0.05"),
        ("pass = lift_at_least(0.05)", "pass = lift_at_least(\"5%\")", "experiments/book-now.lua:16: lift_at_least expects a number, got string"),
        ("pass = lift_at_least(0.05)", "pass = all_of(lift_at_least(0.05), 3)", "experiments/book-now.lua:16: all_of: argument 2 is not a rule such as lift_at_least(0.05)"),
        ("                                pass = lift_at_least(0.05) },", "                              },", "experiments/book-now.lua:15: primary.pass: the primary KPI needs its pass rule, such as pass = lift_at_least(0.05)"),
        ("  hypothesis = \"A visible Book-now button raises appointment conversion for new customers.\",\n", "", "experiments/book-now.lua:5: hypothesis: is required"),
        ("new customers.\"", "new customers. And it is great.\"", "experiments/book-now.lua:8: hypothesis: write the hypothesis as one sentence (this has 2)"),
        ("change_id  = \"CHG-0001\"", "change_id  = \"CHG 1\"", "experiments/book-now.lua:6: change_id: \"CHG 1\" is not a change id; use letters, digits, - _ and . (such as \"CHG-0001\")".replacingOccurrences(of: "CHG-0001\")", with: "CHG-0007\")")),
        ("split = 0.5", "split = 1.5", "experiments/book-now.lua:11: design.split: expected a number from 0.01 to 0.99, got number 1.5"),
        ("design     = ab {", "design     = ab2 {", "experiments/book-now.lua:11: attempt to call a nil value (global 'ab2')"),
        ("  design     = ab { flag = \"book_now_button\", control = \"off\", treatment = \"on\", split = 0.5 },\n", "", "experiments/book-now.lua:5: design: each experiment needs a design: ab { ... }, before_after { ... } or switchback { ... }"),
        ("window     = days(7)", "window     = days(0)", "experiments/book-now.lua:12: days expects a number from 1 to 90, got 0"),
        ("cohorts    = { \"new_customer\" }", "cohorts    = { \"new_customer\", 3 }", "experiments/book-now.lua:13: cohorts[2]: expected a string, got number 3"),
        ("kpi.error_rate { event = \"booking_submit\", max_increase = 0.005 }", "kpi.error_rate { event = \"booking_submit\" }", "experiments/book-now.lua:18: guardrails[1]: a guardrail needs its limit: max_increase = 0.005 or pass = no_worse_than(0.01)"),
        ("kpi.daily_count { event = \"book_now_click\", status = \"success\" }", "kpi.daily_count { event = \"book_now_click\", staus = \"success\" }", "experiments/book-now.lua:17: leading.staus: unknown field (did you mean 'status'?)"),
        ("kpi.daily_count { event = \"book_now_click\", status = \"success\" }", "kpi.daily_cuont { event = \"book_now_click\", status = \"success\" }", "experiments/book-now.lua:17: there is no kpi.daily_cuont (did you mean kpi.daily_count?); the KPIs are kpi.conversion, kpi.count, kpi.custom, kpi.daily_count, kpi.error_rate, kpi.mean, kpi.quantile, kpi.rate"),
        ("on_breach = throttle(0.10)", "on_breach = throttle(10)", "experiments/book-now.lua:21: throttle expects a number from 0 to 1, got 10"),
        ("on_second_breach = rollback()", "on_second_breach = \"rollback\"", "experiments/book-now.lua:21: safety.on_second_breach: expected throttle(0.10) or rollback(), got string \"rollback\""),
        ("check_at = hours(24, 48, 72)", "check_at = hours(24, 96)", "experiments/book-now.lua:20: hours expects a number from 1 to 72, got 96"),
        ("if_inconclusive = \"rollback\"", "if_inconclusive = \"maybe\"", "experiments/book-now.lua:23: if_inconclusive: expected one of \"keep\", \"rollback\", \"extend\", got string \"maybe\""),
        ("return experiment {", "experiment { change_id = \"CHG-0002\" }\nreturn experiment {", "experiments/book-now.lua:6: experiment is declared twice; the first declaration is at experiments/book-now.lua:5"),
        ("return experiment {", "local x = {", "experiments/book-now.lua: declares nothing: the script must call experiment { ... }"),
        ("local kpi = require \"verdict.kpi\"", "local kpi = require \"verdict.kpis\"", "experiments/book-now.lua:3: module \"verdict.kpis\" not found (looked for plugins/verdict/kpis.lua and verdict-plugins/verdict/kpis.lua)"),
    ]

    @Test(arguments: mistakes)
    func mistakeNamesItsFieldAndLine(from: String, to: String, message: String) throws {
        let source = try Self.template
        #expect(source.contains(from), "the template no longer has \(from)")
        let error = try #require(throws: ScriptError.self) { try load(source.replacingOccurrences(of: from, with: to)) }
        #expect(error.description == message)
    }

    /// Experiments checked together share one sandbox: a module's body runs once in the run.
    @Test func modulesLoadOncePerRun() throws {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "Shop", timeZone: "UTC")
        // With one sandbox the counter runs 1, 2, 3 across the experiments; with one each, 1, 1, 1.
        try folder.write("local n = 0\nreturn { bump = function() n = n + 1 return n end }\n", to: "plugins/counting.lua")
        var files: [URL] = []
        for index in 1...3 {
            let source = try Self.template.replacingOccurrences(of: "CHG-0001", with: "CHG-000\(index)")
                .replacingOccurrences(of: "local kpi = require \"verdict.kpi\"", with: "local kpi = require \"verdict.kpi\"\nassert(require(\"counting\").bump() == \(index))")
            files.append(try folder.write(source, to: "experiments/e\(index).lua"))
        }
        let results = ExperimentLoader(workspace: workspace).loadAll(files)
        for result in results { #expect((try? result.result.get()) != nil, "\(result.result)") }
    }

    @Test func twoExperimentsCannotShareAChangeID() throws {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "Shop", timeZone: "UTC")
        let first = try folder.write(try Self.template, to: "experiments/a.lua")
        let second = try folder.write(try Self.template, to: "experiments/b.lua")
        let results = ExperimentLoader(workspace: workspace).loadAll([first, second])
        #expect((try? results[0].result.get()) != nil)
        #expect(throws: ScriptError.self) { try results[1].result.get() }
        if case .failure(let error) = results[1].result {
            #expect(error.description == "experiments/b.lua:5: change_id: \"CHG-0001\" is already the change_id of experiments/a.lua; each experiment needs its own")
        }
    }
}
