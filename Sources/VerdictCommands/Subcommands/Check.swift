import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict check [NAME...]`: loads and validates experiment scripts.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load and validate experiments, and show each one's declaration on one screen.",
            discussion: """
                Without names, checks every experiments/*.lua. Exits 1 if any has an error.

                Examples:
                  verdict check
                  verdict check book-now
                  verdict check --json experiments/book-now.lua
                """
        )

        @Argument(help: "Experiments to check (names in experiments/, or .lua paths); default: all.")
        var names: [String] = []

        @Flag(help: "Print the declarations as JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            let loader: ExperimentLoader
            do {
                loader = ExperimentLoader(workspace: try options.load())
            } catch {
                throw Terminal.report(error)
            }
            let files = names.isEmpty ? loader.scripts() : names.map(loader.script(named:))
            if files.isEmpty {
                Terminal.write("No experiments yet: make one with `verdict new NAME --template conversion`.\n")
                return
            }
            var failed = false
            var values: [LuaValue] = []
            let storedNames: [String]
            do {
                storedNames = try loader.workspace.storedEventNames()
            } catch {
                throw Terminal.report(error)
            }
            for (file, result) in loader.loadAll(files) {
                switch result {
                case .success(let declaration):
                    let unknown = UnknownEventName.find(in: declaration, stored: storedNames)
                    if json {
                        var value = DeclarationSummary(declaration).value
                        if case .table(var fields) = value {
                            fields["warnings"] = .array(unknown.map { .string("\($0)") })
                            value = .table(fields)
                        }
                        values.append(value)
                    } else {
                        Terminal.write(DeclarationSummary(declaration).text())
                        for warning in unknown {
                            Terminal.write(Terminal.warning("warning: \(loader.workspace.relativePath(of: file)): \(warning)", on: .output) + "\n")
                        }
                        Terminal.write("\n")
                    }
                case .failure(let error):
                    failed = true
                    if json {
                        values.append(["file": .string(loader.workspace.relativePath(of: file)), "error": .string(error.description)])
                    } else {
                        _ = Terminal.report(error)
                    }
                }
            }
            if json { Terminal.write(try LuaValue.array(values).json() + "\n") }
            if failed { throw ExitCode.failure }
        }
    }
}
