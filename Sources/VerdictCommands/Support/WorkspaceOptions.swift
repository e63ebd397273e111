import ArgumentParser
import Foundation
import VerdictCore

/// `--workspace`, shared by every command that works inside a workspace.
struct WorkspaceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The workspace folder (default: VERDICT_WORKSPACE, then the nearest folder above with a verdict.lua).",
            valueName: "dir"))
    var workspace: String?

    /// The workspace the command works on, loaded.
    func load() throws(WorkspaceError) -> Workspace {
        var workspace = try Workspace(root: locate(), library: Installation.library)
        workspace.storeUpgradeNotice = { from, to in
            Terminal.write(
                "Upgrading the event store from schema \(from) to \(to). This happens once "
                    + "and can take a few seconds per million events stored.\n", to: .error)
        }
        let environment = ProcessInfo.processInfo.environment
        if let seconds = environment[Workspace.writeWaitVariable].flatMap(Double.init), seconds >= 0 { workspace.writeWait = seconds }
        workspace.writerName = (["verdict"] + CommandLine.arguments.dropFirst().prefix(4)).joined(separator: " ")
        workspace.storeWaitNotice = { holder, patience in
            Terminal.write(
                "waiting for another writer to the store: \(holder) (at most \(Int(patience)) s; \(Workspace.writeWaitVariable) sets it)\n",
                to: .error)
        }
        return workspace
    }

    /// The workspace folder, without loading its settings.
    func locate() throws(WorkspaceError) -> URL {
        try WorkspaceLocator.locate(
            explicit: workspace, environment: ProcessInfo.processInfo.environment,
            currentDirectory: .currentFolder)
    }

    /// Whether the user named a workspace, so that not finding it is an error even for
    /// commands that can work without one.
    var isExplicit: Bool {
        workspace != nil || !(ProcessInfo.processInfo.environment[Workspace.environmentVariable] ?? "").isEmpty
    }
}
