import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import VerdictCore
import VerdictScript
import VerdictStore

extension VerdictCommand {
    /// `verdict report NAME... --from DATE [--to DATE]`: evaluates experiments over a window.
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate experiments over a window: every KPI per arm, its interval, SRM, and the verdict.",
            discussion: """
                Never a verdict without its interval and sample: the table shows each KPI per arm (n and \
                value), the change with its interval and p-value, the minimum detectable effect, and whether \
                each rule holds. --json gives the same with the field names of docs/report-json.md: one \
                report as an object, several (more than one name, or --all) as an array.

                With several experiments, each window starts at --from and lasts the experiment's own \
                declared window unless --to is given. An experiment that cannot be loaded is reported on \
                standard error and the others still are; the exit status is then 1.

                Examples:
                  verdict report book-now --from 2026-11-02 --to 2026-11-08
                  verdict report book-now --from 2026-11-02 --json
                  verdict report --all --from 2026-11-02
                """
        )

        @Argument(help: "Experiments (names in experiments/, or .lua paths).")
        var names: [String] = []

        @Flag(help: "Report every experiment in experiments/.")
        var all = false

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
            if all && !names.isEmpty { throw ValidationError("give experiment names or --all, not both") }
            if !all && names.isEmpty { throw ValidationError("name an experiment to report (or --all for every one)") }
            guard LocalDay(from) != nil else { throw ValidationError("--from: \"\(from)\" is not a date such as 2026-11-02") }
            if let to, LocalDay(to) == nil { throw ValidationError("--to: \"\(to)\" is not a date such as 2026-11-08") }
            if let to, let end = LocalDay(to), let start = LocalDay(from), end < start {
                throw ValidationError("--to \(to) is before --from \(from)")
            }
        }

        func run() async throws {
            let workspace: Workspace
            let loader: ExperimentLoader
            let files: [URL]
            let store: EventStore
            do {
                workspace = try options.load()
                loader = ExperimentLoader(workspace: workspace)
                files = all ? loader.scripts() : names.map(loader.script(named:))
                if files.isEmpty {
                    Terminal.write("No experiments yet: make one with `verdict new NAME --template conversion`.\n")
                    return
                }
                store = try workspace.openStore()
            } catch {
                throw Terminal.report(error)
            }
            let (experiments, sandbox) = loader.loadAllKeepingSandbox(files)
            let single = !all && names.count == 1
            let settings = workspace.settings
            let start = LocalDay(from)!
            let end = to.flatMap(LocalDay.init)
            let daily = daily
            // Experiments without custom KPIs are evaluated two at a time (each read is SQLite's
            // alone); custom KPIs run Lua, in the one sandbox their functions live in, one at a time.
            let outcomes = Mutex([Result<Evaluated, any Error>?](repeating: nil, count: experiments.count))
            let declarations = experiments.map { try? $0.result.get() }
            let parallel = declarations.indices.filter { declarations[$0].map { !Self.hasCustomKPIs($0) } ?? false }
            DispatchQueue.concurrentPerform(iterations: parallel.count) { slot in
                let index = parallel[slot]
                let outcome = Result { try Self.evaluate(declarations[index]!, store: store, settings: settings, sandbox: nil, from: start, to: end, daily: daily) }
                outcomes.withLock { $0[index] = outcome }
            }
            var values: [LuaValue] = []
            var texts: [String] = []
            var failed = false
            for (index, experiment) in experiments.enumerated() {
                do {
                    let declaration = try experiment.result.get()
                    let evaluated = try outcomes.withLock { $0[index] }?.get()
                        ?? Self.evaluate(declaration, store: store, settings: settings, sandbox: sandbox, from: start, to: end, daily: daily)
                    let rendering = ReportRendering(report: evaluated.report, declaration: declaration, daily: evaluated.days)
                    if json { values.append(rendering.value) } else { texts.append(rendering.text()) }
                } catch {
                    if single { throw Terminal.report(error) }
                    failed = true
                    _ = Terminal.report(error)
                }
            }
            if json {
                Terminal.write(try (single ? values[0] : LuaValue.array(values)).json() + "\n")
            } else {
                Terminal.write(texts.joined(separator: "\n"))
            }
            if failed { throw ExitCode.failure }
        }

        /// One experiment's report, and its KPIs day by day when asked.
        struct Evaluated: Sendable {
            var report: ExperimentReport
            var days: [[(day: LocalDay, result: KPIResult)]]
        }

        static func evaluate(
            _ declaration: ExperimentDeclaration, store: EventStore, settings: WorkspaceSettings, sandbox: LuaSandbox?,
            from start: LocalDay, to end: LocalDay?, daily: Bool
        ) throws -> Evaluated {
            let end = end ?? LocalDay(number: start.number + Int32(declaration.windowDays) - 1)
            let evaluator = Evaluator(store: store, declaration: declaration, settings: settings, sandbox: sandbox)
            let report = try evaluator.report(from: start, to: end)
            let days = daily ? try report.kpis.map { try evaluator.daily($0.kpi, role: $0.role, from: start, to: end) } : []
            return Evaluated(report: report, days: days)
        }

        static func hasCustomKPIs(_ declaration: ExperimentDeclaration) -> Bool {
            declaration.kpis.contains { if case .custom = $0.kind { true } else { false } }
        }
    }
}
