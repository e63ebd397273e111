import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict forecast NAME`: whether the experiment's window can decide its rule.
    struct Forecast: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "From past events, say whether the experiment's window can decide its rule.",
            discussion: """
                Reads the last --baseline-days days before today (the workspace's local date; --now to \
                replay): the events per day each KPI sees, its baseline level and spread, the sample per arm \
                the window will bring, the smallest change that sample can detect at the declared alpha and \
                power, and the days the rule's threshold and the expected lift need. It ends with one plain \
                sentence. With little or no history it says what it cannot know.

                Examples:
                  verdict forecast book-now
                  verdict forecast book-now --baseline-days 56 --json
                """
        )

        @Argument(help: "The experiment (a name in experiments/, or a .lua path).")
        var name: String

        @Option(help: "How many days of history to read.")
        var baselineDays = 28

        @Flag(help: "Print the forecast as JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func validate() throws {
            guard (1...365).contains(baselineDays) else { throw ValidationError("--baseline-days is 1 to 365") }
        }

        func run() async throws {
            do {
                let workspace = try options.load()
                let loader = ExperimentLoader(workspace: workspace)
                let (declaration, sandbox) = try loader.loadKeepingSandbox(loader.script(named: name))
                let today = workspace.today(try clockOptions.clock())
                let forecast = try VerdictCore.Forecast.make(
                    declaration, sandbox: sandbox, workspace: workspace, today: today, baselineDays: baselineDays)
                if json {
                    Terminal.write(try JSONOutput.encode(ForecastDocument(forecast, declaration: declaration)) + "\n")
                } else {
                    Terminal.write(Self.text(forecast, declaration))
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                throw Terminal.report(error)
            }
        }

        static func text(_ forecast: VerdictCore.Forecast, _ declaration: ExperimentDeclaration) -> String {
            func number(_ x: Double?, _ digits: Int = 1) -> String { x.map { $0.isFinite ? FigureText.number($0, digits: digits) : "—" } ?? "—" }
            // Whole days, rounded up as the conclusion rounds them: 152.2 days need 153.
            func days(_ x: Double?) -> String { x.map { $0.isFinite ? String(Int($0.rounded(.up))) : "—" } ?? "—" }
            func percent(_ x: Double?) -> String { x.map { $0.isFinite ? FigureText.percent($0) : "—" } ?? "—" }
            let rows = forecast.kpis.map { kpi in
                [kpi.name, kpi.role.rawValue, number(kpi.perDay), number(kpi.baseline, 4), number(kpi.spread, 2),
                 number(kpi.perArm, 0), percent(kpi.minimumDetectableEffect), days(kpi.daysForThreshold),
                 days(kpi.daysForExpectedLift)]
            }
            let table = TableOutput(
                headers: ["kpi", "role", "per day", "baseline", "spread", "per arm", "MDE", "days for rule", "days for expected"],
                rows: rows)
            return "\(declaration.changeID)  \(declaration.title): history \(forecast.from) .. \(forecast.to), window \(declaration.windowDays) days\n\n"
                + table.text() + "per day: all traffic, as the report's counts per day at full traffic; per arm: what the window brings the smaller arm\n"
                + "\n" + (forecast.note.map { "note: \($0)\n" } ?? "") + forecast.conclusion + "\n"
        }
    }
}
