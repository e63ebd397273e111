import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

/// The `verdict` command line: one subcommand per file under `Subcommands/`.
public struct VerdictCommand: AsyncParsableCommand {
    /// The root command's help, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Run one small business change at a time as a 7-day experiment, and decide to keep it or roll it back.",
        discussion: """
            Verdict keeps each change (a Book-now button, a reminder text, a dispatch rule) as a short Lua \
            script in a workspace folder, and gives an honest verdict on it with the numbers behind it.

            Start here:
              verdict init brightspark --time-zone America/Chicago --examples
              cd brightspark
              verdict settings
              verdict lua examples/crew-callbacks.lua
              verdict new book-now --template conversion

            Every command finds its workspace from --workspace, then VERDICT_WORKSPACE, then by \
            searching upward from the current folder for verdict.lua.

            Exit codes: 0 success; 1 an error (a script, the settings or an input is wrong: the message \
            says which, with file:line); 2 (audit verify) the trail or the data it vouches for was \
            tampered with; 3 (ingest) some rows were quarantined; 64 the command line itself is wrong; \
            75 another run (daily, run-all) or another writer to the store was in progress for longer \
            than this one waits, so this one did nothing.
            """,
        version: VerdictVersion.current,
        subcommands: [
            Init.self, Settings.self, New.self, Check.self, Ingest.self, Batches.self, Batch.self, Events.self, Quarantine.self,
            Forecast.self, Report.self, Start.self, Status.self, Flags.self, FlagCommand.self, Assign.self, Today.self, Decide.self, DailyCommand.self,
            RunAllCommand.self,
            ScheduleCommand.self, DashboardCommand.self, Serve.self, Token.self, Hook.self, Audit.self, Backup.self, Restore.self,
            Lua.self,
        ]
    )

    /// Creates the command (argument parsing fills it in).
    public init() {}
}

extension VerdictCommand {
    /// Runs the command line: parses `arguments`, runs the command, and exits. Errors print as
    /// `error: ...` on standard error (the one prefix every error has), an unknown command gets
    /// a "did you mean", and `verdict help NAME` refuses a NAME that is not a command.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        if arguments.first == "help", arguments.count > 1, let unknown = unknownCommand(in: Array(arguments.dropFirst())) {
            fail(unknown, code: ExitCode.validationFailure)
        }
        // A mistyped command gets its "did you mean" whatever follows it (the parser would
        // otherwise count what follows as unexpected arguments first).
        if let first = arguments.first, !first.hasPrefix("-"), first != "help", unknownCommand(in: [first]) != nil {
            let hint = closestMatch(to: first, in: commandNames(configuration.subcommands)).map { "; did you mean '\($0)'?" } ?? ""
            fail("'\(first)' is not a verdict command\(hint)\n  See 'verdict --help' for the commands.", code: .validationFailure)
        }
        let arguments = workspaceAfterCommand(arguments)
        var parsed: (any ParsableCommand)?
        do {
            var command = try parseAsRoot(arguments)
            parsed = command
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let error as ValidationError where parsed != nil {
            // Found wrong while running: the command's own usage, not the root's.
            let path = (["verdict"] + commandPath(arguments)).joined(separator: " ")
            fail("\(error.message)\n  See '\(path) --help' for more information.", code: .validationFailure)
        } catch {
            let code = exitCode(for: error)
            var message = fullMessage(for: error)
            if code == .success {
                // --help, --version, `verdict help`: what was asked for, on standard output.
                if !message.isEmpty { Terminal.write(message + "\n") }
                Foundation.exit(0)
            }
            guard !message.isEmpty else { Foundation.exit(code.rawValue) }  // already reported (Terminal.report)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            fail(message, code: code)
        }
    }

    /// `verdict --workspace DIR report ...` as `verdict report --workspace DIR ...`: the option
    /// belongs to each command, and people write it first, as with git's `-C`.
    static func workspaceAfterCommand(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return arguments }
        let folder: String
        let rest: ArraySlice<String>
        if first == "--workspace", arguments.count >= 2 {
            (folder, rest) = (arguments[1], arguments.dropFirst(2))
        } else if first.hasPrefix("--workspace=") {
            (folder, rest) = (String(first.dropFirst("--workspace=".count)), arguments.dropFirst())
        } else {
            return arguments
        }
        let path = commandPath(Array(rest))
        guard !path.isEmpty else { return arguments }
        return path + ["--workspace", folder] + rest.dropFirst(path.count)
    }

    private static func fail(_ message: String, code: ExitCode) -> Never {
        Terminal.write("\(Terminal.alert("error:", on: .error)) \(message)\n", to: .error)
        Foundation.exit(code.rawValue)
    }

    private static func commandNames(_ commands: [any ParsableCommand.Type]) -> [String] {
        commands.map { $0._commandName }
    }

    /// The subcommands named at the start of `arguments` (`batch remove`).
    private static func commandPath(_ arguments: [String]) -> [String] {
        var commands = configuration.subcommands
        var path: [String] = []
        for name in arguments {
            guard let command = commands.first(where: { $0._commandName == name }) else { break }
            path.append(name)
            commands = command.configuration.subcommands
        }
        return path
    }

    /// For `verdict help A B`: a message when A (or B within A) is not a command.
    private static func unknownCommand(in path: [String]) -> String? {
        var commands = configuration.subcommands
        var named: [String] = []
        for name in path {
            guard let command = commands.first(where: { $0._commandName == name }) else {
                let hint = closestMatch(to: name, in: commandNames(commands)).map { " (did you mean '\($0)'?)" } ?? ""
                let within = named.isEmpty ? "verdict" : "verdict " + named.joined(separator: " ")
                return "\(within) has no command '\(name)'\(hint); the commands are "
                    + commandNames(commands).joined(separator: ", ")
            }
            named.append(name)
            commands = command.configuration.subcommands
        }
        return nil
    }
}
