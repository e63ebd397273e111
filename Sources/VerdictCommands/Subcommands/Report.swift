import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

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
            do {
                workspace = try options.load()
                loader = ExperimentLoader(workspace: workspace)
                files = all ? loader.scripts() : names.map(loader.script(named:))
                if files.isEmpty {
                    Terminal.write("No experiments yet: make one with `verdict new NAME --template conversion`.\n")
                    return
                }
            } catch {
                throw Terminal.report(error)
            }
            let (experiments, sandbox) = loader.loadAllKeepingSandbox(files)
            let single = !all && names.count == 1
            let outcomes: [Result<EvaluatedExperiment, any Error>]
            do {
                outcomes = try ReportRun.evaluate(
                    experiments, sandbox: sandbox, workspace: workspace, from: LocalDay(from)!, to: to.flatMap(LocalDay.init),
                    daily: daily)
            } catch {
                throw Terminal.report(error)
            }
            var documents: [ReportDocument] = []
            var texts: [String] = []
            var failed = false
            for outcome in outcomes {
                do {
                    let evaluated = try outcome.get()
                    let rendering = ReportRendering(report: evaluated.report, declaration: evaluated.declaration, daily: evaluated.days)
                    if json { documents.append(ReportDocument(evaluated)) } else { texts.append(rendering.text()) }
                } catch {
                    if single { throw Terminal.report(error) }
                    failed = true
                    _ = Terminal.report(error)
                }
            }
            if json {
                Terminal.write(try (single ? JSONOutput.encode(documents[0]) : JSONOutput.encode(documents)) + "\n")
            } else {
                Terminal.write(texts.joined(separator: "\n"))
            }
            if failed { throw ExitCode.failure }
        }
    }
}
