import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

extension VerdictCommand {
    /// `verdict settings`: shows the workspace and its settings.
    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the workspace and the settings its verdict.lua declares.",
            discussion: """
                Loads verdict.lua in the sandbox, so it also checks the file: a mistake is reported as \
                verdict.lua:LINE: ... with a non-zero exit.

                Examples:
                  verdict settings
                  verdict settings --json --workspace ~/brightspark
                """
        )

        @OptionGroup var options: WorkspaceOptions

        @Flag(help: "Print the settings as JSON.")
        var json = false

        func run() async throws {
            do {
                let report = SettingsReport(try options.load())
                Terminal.write(json ? try report.json() + "\n" : report.text())
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}

/// The settings as `verdict settings` and `verdict init --json` print them.
struct SettingsReport {
    let workspace: Workspace

    init(_ workspace: Workspace) {
        self.workspace = workspace
    }

    var value: LuaValue {
        let settings = workspace.settings
        return [
            "workspace": .string(workspace.root.path),
            "business": .string(settings.business),
            "time_zone": .string(settings.timeZone),
            "window_days": .integer(Int64(settings.windowDays)),
            "alpha": .number(settings.alpha),
            "power": .number(settings.power),
            "risk_tolerance": .number(settings.riskTolerance),
            "webhook": settings.webhook.map { .string($0) } ?? .nil,
            "sandbox": [
                "memory_mb": .integer(Int64(settings.sandbox.memoryBytes >> 20)),
                "instructions": .integer(Int64(settings.sandbox.instructions)),
                "seconds": .number(settings.sandbox.seconds),
            ],
        ]
    }

    func json() throws(ScriptError) -> String {
        try value.json()
    }

    func text() -> String {
        let settings = workspace.settings
        let limits = settings.sandbox
        return """
            workspace    \(workspace.root.path)
            business     \(settings.business)
            time zone    \(settings.timeZone)
            window       \(settings.windowDays) days
            alpha        \(settings.alpha)
            power        \(settings.power)
            risk         \(FigureText.percent(settings.riskTolerance, trimmed: true)) expected loss tolerated when keeping an inconclusive change
            sandbox      \(limits.memoryBytes >> 20) MB, \(limits.instructions) instructions, \(limits.seconds) s per call

            """
    }
}
