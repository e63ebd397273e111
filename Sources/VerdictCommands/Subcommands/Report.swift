import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict report NAME --from DATE [--to DATE]`: evaluates an experiment over a window.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate an experiment over a window: every KPI per arm, its interval, SRM, and the verdict.",
            discussion: """
                Never a verdict without its interval and sample: the table shows each KPI per arm (n and
                value), the change with its interval and p-value, the minimum detectable effect, and whether
                each rule holds. --json gives the same with the field names of docs/report-json.md.

                Examples:
                  verdict report book-now --from 2026-11-02 --to 2026-11-08
                  verdict report book-now --from 2026-11-02 --json
                """
        )

        @Argument(help: "The experiment (a name in experiments/, or a .lua path).")
        var name: String

        @Option(help: ArgumentHelp("The window's first local date (YYYY-MM-DD).", valueName: "date"))
        var from: String

        @Option(help: ArgumentHelp("The window's last local date (default: the declared window from --from).", valueName: "date"))
        var to: String?

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Flag(help: "Also give each KPI's per-arm figures day by day.")
        var daily = false

        @OptionGroup var options: WorkspaceOptions

        func validate() throws {
            guard LocalDay(from) != nil else { throw ValidationError("--from: \"\(from)\" is not a date such as 2026-11-02") }
            if let to, LocalDay(to) == nil { throw ValidationError("--to: \"\(to)\" is not a date such as 2026-11-08") }
        }

        func run() async throws {
            do {
                let workspace = try options.load()
                let loader = ExperimentLoader(workspace: workspace)
                let (declaration, sandbox) = try loader.loadKeepingSandbox(loader.script(named: name))
                let start = LocalDay(from)!
                let end = to.flatMap(LocalDay.init) ?? LocalDay(number: start.number + Int32(declaration.windowDays) - 1)
                guard end >= start else { throw ValidationError("--to is before --from") }
                let evaluator = Evaluator(store: try workspace.openStore(), declaration: declaration, settings: workspace.settings, sandbox: sandbox)
                let report = try evaluator.report(from: start, to: end)
                var days: [[(day: LocalDay, result: KPIResult)]] = []
                if daily {
                    days = try report.kpis.map { try evaluator.daily($0.kpi, role: $0.role, from: start, to: end) }
                }
                let rendering = ReportRendering(report: report, declaration: declaration, daily: days)
                Terminal.write(json ? try rendering.value.json() + "\n" : rendering.text())
            } catch let error as ValidationError {
                throw error
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
