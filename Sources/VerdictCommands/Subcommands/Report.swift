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

                A started experiment needs no dates: it is evaluated from its sealed copy over its own window, \
                and if its script or a plugin changed on disk since, the report says so (and still uses the \
                seal). Otherwise each window starts at --from and lasts the experiment's declared window \
                unless --to is given. An experiment that cannot be loaded is reported on standard error and \
                the others still are; the exit status is then 1.

                Examples:
                  verdict report book-now
                  verdict report --all
                  verdict report book-now --from 2026-11-02 --to 2026-11-08
                  verdict report book-now --from 2026-11-02 --json
                  verdict report --all --from 2026-11-02
                """
        )

        @Argument(help: "Experiments (names in experiments/, or .lua paths).")
        var names: [String] = []

        @Flag(help: "Report every experiment in experiments/.")
        var all = false

        @Option(help: ArgumentHelp("The window's first local date (YYYY-MM-DD); a started experiment has its own.", valueName: "date"))
        var from: String?

        @Option(help: ArgumentHelp("The window's last local date (default: the declared window from --from).", valueName: "date"))
        var to: String?

        @Flag(help: "Print the report as JSON.")
        var json = false

        @Flag(help: "Also give each KPI's per-arm figures day by day.")
        var daily = false

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func validate() throws {
            if all && !names.isEmpty { throw ValidationError("give experiment names or --all, not both") }
            if !all && names.isEmpty { throw ValidationError("name an experiment to report (or --all for every one)") }
            if let from, LocalDay(from) == nil { throw ValidationError("--from: \"\(from)\" is not a date such as 2026-11-02") }
            if to != nil && from == nil { throw ValidationError("--to needs --from") }
            if let to, LocalDay(to) == nil { throw ValidationError("--to: \"\(to)\" is not a date such as 2026-11-08") }
            if let to, let from, let end = LocalDay(to), let start = LocalDay(from), end < start {
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
            let single = !all && names.count == 1
            let outcomes: [Result<EvaluatedExperiment, any Error>]
            do {
                if let from {
                    let (experiments, sandbox) = loader.loadAllKeepingSandbox(files)
                    outcomes = try ReportRun.evaluate(
                        experiments, sandbox: sandbox, workspace: workspace, from: LocalDay(from)!, to: to.flatMap(LocalDay.init),
                        daily: daily)
                } else {
                    outcomes = try sealedOutcomes(workspace, files: all ? nil : files)
                }
            } catch {
                throw Terminal.report(error)
            }
            var documents: [ReportDocument] = []
            var texts: [String] = []
            var failed = false
            // A started change's customer lists, said under its report (Core counts them).
            let lifecycle = try? Lifecycle(workspace: workspace, clock: SystemClock(), actor: "")
            let lists = from != nil ? [:] : Dictionary(
                ((try? lifecycle?.statuses()) ?? []).map { ($0.changeID, $0.lists) },
                uniquingKeysWith: { _, last in last })
            for outcome in outcomes {
                do {
                    let evaluated = try outcome.get()
                    // A recorded verdict stands on every surface; today's figures only add to it.
                    var document = ReportDocument(evaluated)
                    if let lifecycle { document = try lifecycle.onRecord(document) }
                    let rendering = ReportRendering(
                        report: evaluated.report, declaration: evaluated.declaration, daily: evaluated.days,
                        today: workspace.today(try clockOptions.clock()), shown: document)
                    if json {
                        documents.append(document)
                    } else if let counts = lists[evaluated.declaration.changeID] ?? nil {
                        texts.append(
                            rendering.text()
                                + "lists: \(counts.handedOut) handed out to the office; \(counts.treatment) customers meant to get the change, "
                                + "\(counts.control) not (their events without a flag count in the list's arm: intention to treat)\n")
                    } else {
                        texts.append(rendering.text())
                    }
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

        /// Started experiments evaluated from their sealed copies over their own windows; each
        /// changed file is named on standard error. `files` nil: every started experiment.
        private func sealedOutcomes(_ workspace: Workspace, files: [URL]?) throws -> [Result<EvaluatedExperiment, any Error>] {
            let lifecycle = try Lifecycle(workspace: workspace, clock: SystemClock(), actor: "")
            var sealed: [Result<Lifecycle.SealedExperiment, any Error>] = []
            if let files {
                for file in files {
                    let path = workspace.relativePath(of: file)
                    sealed.append(
                        Result {
                            guard let experiment = try lifecycle.sealedExperiment(scriptPath: path) else {
                                guard FileManager.default.fileExists(atPath: file.path) else {
                                    let known = ExperimentLoader(workspace: workspace).scripts().map { $0.deletingPathExtension().lastPathComponent }
                                    let name = file.deletingPathExtension().lastPathComponent
                                    let hint = closestMatch(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                                    throw ValidationError("there is no experiment \(path)\(hint) (verdict new NAME makes one)")
                                }
                                throw ValidationError("\(path) has not been started: give the window with --from DATE, or start it first")
                            }
                            return experiment
                        })
                }
            } else {
                sealed = try lifecycle.sealedExperiments().map { .success($0) }
                if sealed.isEmpty { throw ValidationError("no experiment has been started: give --from DATE to report on the scripts") }
            }
            return try sealed.map { result in
                let experiment: Lifecycle.SealedExperiment
                do { experiment = try result.get() } catch { return .failure(error) }
                if !experiment.changedFiles.isEmpty {
                    Terminal.write(
                        Terminal.warning("warning:", on: .error) + " \(experiment.declaration.changeID) changed since it was sealed: "
                            + experiment.changedFiles.joined(separator: ", ") + "; this report uses the sealed copy.\n", to: .error)
                }
                return try ReportRun.evaluate(
                    [(URL(fileURLWithPath: experiment.declaration.location.file), .success(experiment.declaration))],
                    sandbox: experiment.sandbox, workspace: workspace, from: experiment.from, to: experiment.to, daily: daily)[0]
            }
        }
    }
}
