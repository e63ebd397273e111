import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict init [DIR]`: creates a workspace.
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a workspace: verdict.lua, experiments/, plugins/ and .verdict/.",
            discussion: """
                Refuses to touch a folder that already has a verdict.lua and a store. In a workspace that \
                has lost its store (.verdict/ deleted), it refuses too and says how to restore a backup; \
                --new-store starts an empty store there instead. With --examples it also copies the \
                tutorial's example files (website events, job exports, Lua scratch files) into examples/.

                Examples:
                  verdict init                  # here, named after the folder
                  verdict init brightspark --time-zone America/Chicago --name "Brightspark"
                  verdict init brightspark --examples
                """
        )

        @Argument(help: "The folder to create the workspace in.")
        var directory: String = "."

        @Option(help: "The business name reports show (default: the folder's name).")
        var name: String?

        @Option(
            name: .customLong("time-zone"),
            help: "The IANA time zone whose local days reports count (default: the system's, else UTC).")
        var timeZone: String?

        @Flag(help: "Also copy the tutorial's example files into examples/.")
        var examples = false

        @Flag(help: "Print the new workspace's settings as JSON.")
        var json = false
        @Flag(
            name: .customLong("new-store"),
            help: "In a workspace whose store is lost, start an empty one (restore a backup instead when there is one).")
        var newStore = false

        func run() async throws {
            let folder = URL(
                fileURLWithPath: directory, relativeTo: .currentFolder)
            do {
                if let existing = try? Workspace(root: folder, library: Installation.library),
                    !FileManager.default.fileExists(atPath: existing.storePath)
                {
                    // A workspace without its store: made by an older Verdict, or its store was lost.
                    try WorkspaceInitializer.createStore(in: existing, replacingLost: newStore)
                    return Terminal.write("Created an empty event store in \(existing.relativePath(of: existing.stateFolder))/ of \(existing.root.path).\n")
                }
                if newStore { throw WorkspaceError.io("--new-store is for a workspace whose store is lost; \(folder.standardizedFileURL.path) has none to replace") }
                let business = name ?? folder.standardizedFileURL.lastPathComponent
                let workspace = try WorkspaceInitializer.create(
                    at: folder, business: business, timeZone: timeZone, library: Installation.library)
                let copied = examples ? try WorkspaceInitializer.copyExamples(into: workspace) : []
                if json {
                    Terminal.write(try SettingsReport(workspace).json() + "\n")
                    return
                }
                Terminal.write(
                    """
                    Created a Verdict workspace in \(workspace.root.path)
                      verdict.lua     settings: \(workspace.settings.business), \(workspace.settings.timeZone)
                                      dates: \((workspace.settings.dateOrder ?? .monthFirst).rawValue), so \((workspace.settings.dateOrder ?? .monthFirst).example) (date_order in verdict.lua)
                      experiments/    one Lua script per change
                      plugins/        your own KPI and importer plugins
                      inbox/          drop the night's exports here: verdict daily ingests them
                      .verdict/       the event store (keep it out of version control)

                    """)
                if !copied.isEmpty {
                    Terminal.write("  examples/       \(copied.count) example files: \(copied.joined(separator: ", "))\n\n")
                }
                Terminal.write("Next: cd into it and run `verdict settings`.\n")
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
