import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict new NAME --template T`: starts an experiment from a template.
    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start an experiment from a template, with the next free change_id.",
            discussion: """
                Copies the template to experiments/NAME.lua; fill in its hypothesis, KPIs and rule, then run \
                `verdict check NAME`.

                Examples:
                  verdict new --list
                  verdict new book-now --template conversion
                """
        )

        @Argument(help: "The experiment's name (its file is experiments/NAME.lua).")
        var name: String?

        @Option(help: "The template to copy (see --list).")
        var template: String = "conversion"

        @Flag(help: "List the templates.")
        var list = false

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func run() async throws {
            do {
                guard let templates = ExperimentTemplates.bundled else {
                    throw WorkspaceError.io("the experiment templates are not installed beside verdict; set VERDICT_TEMPLATES to their folder")
                }
                if list {
                    let all = templates.list()
                    let width = all.map(\.name.count).max() ?? 0
                    for template in all {
                        Terminal.write(template.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + template.summary + "\n")
                    }
                    return
                }
                guard let name else { throw ValidationError("name the new experiment, as in `verdict new book-now --template conversion`") }
                let workspace = try options.load()
                let today = workspace.today(try clockOptions.clock())
                let (file, changeID) = try templates.create(name, from: template, in: workspace, today: today)
                Terminal.write(
                    "Created \(workspace.relativePath(of: file)) (\(changeID)) from the \(template) template.\n"
                        + "Next: write its hypothesis, KPIs and rule, then run `verdict check \(name)`.\n")
            } catch let error as ValidationError {
                throw error
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
