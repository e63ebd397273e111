import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict lua FILE`: runs a file in the experiment sandbox.
    struct Lua: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a Lua file in exactly the sandbox experiments get, and print the value it returns.",
            discussion: """
                A safe place to try plugin code: the file sees only what an experiment sees, under the same \
                memory, instruction and time limits (the workspace's, if there is one). What it prints goes to \
                standard error; the value it returns goes to standard output, as a Lua table or, with --json, \
                as JSON. Errors are reported as FILE:LINE: message with a non-zero exit. The examples use \
                the files `verdict init --examples` copies into a workspace.

                Examples:
                  verdict lua examples/crew-callbacks.lua
                  verdict lua --json examples/crew-callbacks.lua
                """
        )

        @Argument(help: "The Lua file to run.")
        var file: String

        @Flag(help: "Print the returned value as JSON.")
        var json = false

        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            do {
                let workspace: Workspace?
                do {
                    workspace = try options.load()
                } catch WorkspaceError.notFound where !options.isExplicit {
                    workspace = nil
                }
                let url = URL(fileURLWithPath: file, relativeTo: .currentFolder)
                let value = try ScriptFile.run(url, in: workspace) { line in
                    Terminal.write(line + "\n", to: .error)
                }
                Terminal.write((json ? try value.json() : value.luaLiteral()) + "\n")
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}

extension WorkspaceError: ScriptErrorCarrier {
    var scriptError: ScriptError? {
        if case .invalidSettings(let error) = self { return error }
        return nil
    }
}
