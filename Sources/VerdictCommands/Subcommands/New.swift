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
                  verdict new book-now --template conversion --change-id CHG-0007
                  verdict new --list --json
                """
        )

        @Argument(help: "The experiment's name (its file is experiments/NAME.lua).")
        var name: String?

        @Option(help: "The template to copy (see --list).")
        var template: String = "conversion"

        @Option(name: .customLong("change-id"), help: "The change_id to give it (default: the next free CHG-NNNN).")
        var changeID: String?

        @Flag(help: "List the templates.")
        var list = false

        @Flag(help: "With --list, print the templates as JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func run() async throws {
            do {
                let templates = ExperimentTemplates(folder: try Installation.library.get().templates)
                if list {
                    let all = templates.list()
                    if json {
                        Terminal.write(try JSONOutput.encode(all.map { TemplateListing(name: $0.name, summary: $0.summary) }) + "\n")
                        return
                    }
                    let width = all.map(\.name.count).max() ?? 0
                    for template in all {
                        Terminal.write(template.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + template.summary + "\n")
                    }
                    return
                }
                guard let name else { throw ValidationError("name the new experiment, as in `verdict new book-now --template conversion`") }
                let workspace = try options.load()
                let clock = try clockOptions.clock()
                let (file, changeID) = try templates.create(
                    name, from: template, in: workspace, today: workspace.today(clock), changeID: changeID,
                    recordedBy: (actorOptions.resolve(), clock))
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

/// One template in `verdict new --list --json`.
struct TemplateListing: Codable {
    var name: String
    var summary: String
}
