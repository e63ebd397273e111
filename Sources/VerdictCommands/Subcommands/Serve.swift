import ArgumentParser
import Foundation
import Logging
import VerdictCore
import VerdictServer

extension VerdictCommand {
    /// `verdict serve`: the workspace over HTTP.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the workspace over HTTP: events in, flags out (OpenFeature OFREP), reads, decisions, the dashboard.",
            discussion: """
                Endpoints (docs/server.md):
                  POST /v1/events                          events as JSON lines or a JSON array (token: ingest)
                  POST /ofrep/v1/evaluate/flags/KEY        one flag for a visitor (OFREP; no token unless --flags-need-token)
                  POST /ofrep/v1/evaluate/flags            every flag, with an ETag (304 when unchanged)
                  GET  /v1/status, /v1/experiments         where each started experiment stands (token: read)
                  GET  /v1/experiments/CHG                 its report, as `verdict report --json` (token: read)
                  GET  /v1/audit?change_id=CHG             the audit trail (token: read)
                  POST /v1/experiments/CHG/decision|flag   decide, or change the flag, as the token (token: admin)
                  GET  /                                   the dashboard, live (token: read, or ?token=)
                  GET  /healthz                            ok

                With --daily-at 06:00 it also runs `verdict daily` every morning, and `verdict run-all` after it on \
                the --weekly-on day, under the same locks as cron's, so the two never both run.

                It listens on 127.0.0.1 unless --bind says otherwise, logs each request with its id to \
                standard error, and on SIGTERM or Ctrl-C finishes the requests in flight before it stops.

                Examples:
                  verdict token create website --scope ingest
                  verdict serve --port 8080
                """
        )

        @Option(help: ArgumentHelp("The address to listen on.", valueName: "address"))
        var bind = "127.0.0.1"

        @Option(help: ArgumentHelp("The port (0: any free one; the one chosen is printed).", valueName: "port"))
        var port = 8080

        @Option(help: ArgumentHelp("The largest request body accepted, in bytes (413 above it).", valueName: "bytes"))
        var maxBody = 10 * 1024 * 1024

        @Flag(help: "Require a read token for OFREP flag evaluations too.")
        var flagsNeedToken = false

        @Option(help: ArgumentHelp("Requests a minute per client address and per token (0: no limit; default: verdict.lua's, else 1200).", valueName: "n"))
        var rateLimit: Int?

        @Option(help: ArgumentHelp("Run the morning run (verdict daily) in this process every day at this local time (HH:MM).", valueName: "time"))
        var dailyAt: String?

        @Option(help: ArgumentHelp("With --daily-at: the weekly run (verdict run-all) after it on this day (mon ... sun).", valueName: "day"))
        var weeklyOn = "mon"

        @Flag(help: "With --daily-at: the weekly run carries out its recommendations (run-all --apply).")
        var apply = false

        @Option(help: ArgumentHelp("Stop by itself after this many seconds (for tests and demos).", valueName: "seconds"))
        var stopAfter: Double?

        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions

        func validate() throws {
            if !(0...65535).contains(port) { throw ValidationError("--port: give 0 to 65535") }
            if maxBody < 1024 { throw ValidationError("--max-body: give at least 1024 bytes") }
            if let stopAfter, stopAfter <= 0 { throw ValidationError("--stop-after: give a number of seconds above 0") }
            if let rateLimit, rateLimit < 0 { throw ValidationError("--rate-limit: give 0 (no limit) or more") }
            if let dailyAt { _ = try Self.clockTime(dailyAt) }
            guard ScheduleCommand.weekdays.contains(weeklyOn.lowercased()) else {
                throw ValidationError("--weekly-on: \"\(weeklyOn)\" is not one of \(ScheduleCommand.weekdays.joined(separator: ", "))")
            }
        }

        /// HH:MM, or HH:MM:SS.
        static func clockTime(_ text: String) throws -> (hour: Int, minute: Int, second: Int) {
            let parts = text.split(separator: ":").map { Int($0) }
            guard [2, 3].contains(parts.count), parts.allSatisfy({ $0 != nil }), (0...23).contains(parts[0]!), (0...59).contains(parts[1]!),
                parts.count == 2 || (0...59).contains(parts[2]!)
            else { throw ValidationError("--daily-at: \"\(text)\" is not a time such as 06:00") }
            return (parts[0]!, parts[1]!, parts.count == 3 ? parts[2]! : 0)
        }

        func run() async throws {
            let workspace: Workspace
            let clock: any VerdictClock
            do {
                workspace = try options.load()
                clock = try clockOptions.clock()
            } catch {
                throw Terminal.report(error)
            }
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = .info
                return handler
            }
            var configuration = VerdictServer.Configuration()
            configuration.host = bind
            configuration.port = port
            configuration.maxBodyBytes = maxBody
            configuration.flagsNeedToken = flagsNeedToken
            configuration.rateLimit = rateLimit
            if let dailyAt {
                configuration.schedule = ServerSchedule(
                    dailyAt: try Self.clockTime(dailyAt), weeklyDay: ScheduleCommand.weekdays.firstIndex(of: weeklyOn.lowercased())! + 1,
                    apply: apply)
                configuration.refreshDashboard = { workspace, clock, date in try DashboardFiles.refresh(workspace, clock: clock, date: date) }
            }
            let server = VerdictServer(workspace: workspace, configuration: configuration, clock: clock, logger: Logger(label: "verdict"))
            if let stopAfter {
                Task.detached {
                    try? await Task.sleep(nanoseconds: UInt64(stopAfter * 1e9))
                    kill(getpid(), SIGTERM)
                }
            }
            let host = bind
            do {
                try await server.run { port in
                    Terminal.write("Verdict is serving \(workspace.settings.business) on http://\(host):\(port)/ (Ctrl-C to stop)\n")
                }
            } catch {
                throw Terminal.report(error)
            }
        }
    }

    /// `verdict token`: the server's access tokens.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make, list and revoke the tokens verdict serve accepts.",
            discussion: """
                A token has a name and scopes: ingest (send events: the website's), read (the reads and the \
                dashboard), admin (flags and decisions, recorded as the token's name). Its secret is shown \
                once, when it is made; the store keeps only its SHA-256. Making and revoking are on the audit trail.

                Examples:
                  verdict token create website --scope ingest
                  verdict token create office --scope read,admin
                  verdict token
                  verdict token revoke website
                """,
            subcommands: [List.self, Create.self, Revoke.self],
            defaultSubcommand: List.self
        )

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the tokens (never their secrets).")
            @Flag(help: "Print the list as JSON.") var json = false
            @OptionGroup var options: WorkspaceOptions

            func run() async throws {
                do {
                    let tokens = try AccessTokens(workspace: try options.load(), clock: SystemClock(), actor: "").list()
                    if json { Terminal.write(try JSONOutput.encode(tokens) + "\n"); return }
                    if tokens.isEmpty { Terminal.write("No tokens yet: verdict token create NAME --scope ingest|read|admin\n"); return }
                    let rows = tokens.map { [$0.name, $0.scopes.map(\.rawValue).joined(separator: ","), $0.createdAt, $0.revokedAt.map { "revoked \($0)" } ?? "active"] }
                    Terminal.write(TableOutput(headers: ["name", "scopes", "created", "state"], rows: rows).text())
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Make a token; its secret is printed once.")
            @Argument(help: "The token's name (letters, digits, -, _, .).") var name: String
            @Option(help: ArgumentHelp("Its scopes, comma-separated: ingest, read, admin.", valueName: "scopes")) var scope: String
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var clockOptions: ClockOptions
            @OptionGroup var actorOptions: ActorOptions

            func validate() throws {
                for part in scope.split(separator: ",") where TokenScope(rawValue: part.trimmingCharacters(in: .whitespaces)) == nil {
                    throw ValidationError("--scope: \"\(part)\" is not ingest, read or admin")
                }
            }

            func run() async throws {
                do {
                    let scopes = scope.split(separator: ",").compactMap { TokenScope(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
                    let tokens = try AccessTokens(workspace: try options.load(), clock: try clockOptions.clock(), actor: actorOptions.resolve())
                    let (token, secret) = try tokens.create(name: name, scopes: scopes)
                    Terminal.write("Token \(token.name) (\(token.scopes.map(\.rawValue).joined(separator: ", "))); its secret, shown this once:\n\(secret)\n")
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token: it opens nothing from now on.")
            @Argument(help: "The token's name.") var name: String
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var clockOptions: ClockOptions
            @OptionGroup var actorOptions: ActorOptions

            func run() async throws {
                do {
                    try AccessTokens(workspace: try options.load(), clock: try clockOptions.clock(), actor: actorOptions.resolve()).revoke(name: name)
                    Terminal.write("Token \(name) is revoked. Recorded on the audit trail.\n")
                } catch {
                    throw Terminal.report(error)
                }
            }
        }
    }
}
