import ArgumentParser
import VerdictCore

/// The `verdict` command line: one subcommand per file under `Subcommands/`.
public struct VerdictCommand: AsyncParsableCommand {
    /// The root command's help, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Run one small business change at a time as a 7-day experiment, and decide to keep it or roll it back.",
        discussion: """
            Verdict keeps each change (a Book-now button, a reminder text, a dispatch rule) as a short Lua
            script in a workspace folder, and gives an honest verdict on it with the numbers behind it.

            Start here:
              verdict init brightspark --name "Brightspark Electric" --time-zone America/Chicago
              cd brightspark
              verdict settings
              verdict lua plugins/try.lua        # try Lua code in the experiment sandbox

            Every command finds its workspace from --workspace, then VERDICT_WORKSPACE, then by
            searching upward from the current folder for verdict.lua.

            Exit codes: 0 success; 1 an error (a script, the settings or an input is wrong);
            64 the command line itself is wrong.
            """,
        version: VerdictVersion.current,
        subcommands: [
            Init.self, Settings.self, New.self, Check.self, Ingest.self, Batches.self, Batch.self, Events.self, Quarantine.self,
            Forecast.self, Report.self, Lua.self,
        ]
    )

    /// Creates the command (argument parsing fills it in).
    public init() {}
}
