import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict hook`: the webhooks `verdict serve` accepts from job software.
    struct Hook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set up the webhooks verdict serve accepts from Jobber, Housecall Pro, CallRail and Square.",
            discussion: """
                Each provider posts to /v1/hooks/PROVIDER on verdict serve (jobber, housecall-pro, callrail, \
                square), signed with a secret you get from the provider. A delivery whose signature does not \
                verify gets 401 and is not stored; a verified one is stored raw, answered at once, then read \
                into events by plugins/hooks/PROVIDER.lua (docs/server.md). Secrets are kept in \
                .verdict/hooks.json, readable by you only, and never shown again; adding and removing a hook \
                is on the audit trail.

                Examples:
                  verdict hook add jobber --secret-file jobber-secret.txt
                  verdict hook add square --secret-file square-key.txt --url https://hooks.example.com/v1/hooks/square
                  verdict hook
                  verdict hook sign housecall-pro delivery.json > headers.txt
                  verdict hook remove callrail
                """,
            subcommands: [List.self, Add.self, Remove.self, Sign.self],
            defaultSubcommand: List.self
        )

        static func provider(_ name: String) throws -> HookProvider {
            guard let provider = HookProvider(rawValue: name.lowercased()) else {
                throw ValidationError("\"\(name)\" is not a provider Verdict takes webhooks from: \(HookProvider.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return provider
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the hooks (never their secrets) and their deliveries.")
            @Flag(help: "Print the list as JSON.") var json = false
            @OptionGroup var options: WorkspaceOptions

            func run() async throws {
                do {
                    let hooks = try HookSecrets(workspace: try options.load()).list()
                    if json { Terminal.write(try JSONOutput.encode(hooks) + "\n"); return }
                    if hooks.isEmpty { Terminal.write("No hooks yet: verdict hook add PROVIDER --secret-file FILE\n"); return }
                    var out = ""
                    for hook in hooks {
                        let state = hook.fingerprint.map { "secret \($0)…, added \(hook.addedAt ?? "")" } ?? "removed"
                        out += "\(hook.provider)  POST \(hook.path)  (\(state))\(hook.url.map { "  signed for \($0)" } ?? "")\n"
                        if hook.deliveries.isEmpty { out += "  no deliveries yet\n" }
                        for count in hook.deliveries {
                            out += "  \(count.count) \(count.topic ?? "(no topic)") \(count.status.replacingOccurrences(of: "_", with: " ")), last \(count.last)\n"
                        }
                    }
                    Terminal.write(out)
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Accept a provider's webhooks, signed with the secret in a file.")
            @Argument(help: "jobber, housecall-pro, callrail or square.") var provider: String
            @Option(help: ArgumentHelp("A file holding the provider's signing secret (one line).", valueName: "file")) var secretFile: String
            @Option(help: "The notification URL exactly as registered with the provider (Square signs it).") var url: String?
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var clockOptions: ClockOptions
            @OptionGroup var actorOptions: ActorOptions

            func validate() throws { _ = try Hook.provider(provider) }

            func run() async throws {
                do {
                    let provider = try Hook.provider(provider)
                    let text: String
                    do {
                        text = try String(contentsOfFile: secretFile, encoding: .utf8)
                    } catch {
                        throw ValidationError("--secret-file: \(secretFile) cannot be read (\(error.localizedDescription))")
                    }
                    let secrets = HookSecrets(workspace: try options.load())
                    let hook = try secrets.add(provider, secretText: text, url: url, clock: try clockOptions.clock(), actor: actorOptions.resolve())
                    if let warning = try secrets.overlapWarning(provider) { Terminal.write(warning + "\n", to: .error) }
                    Terminal.write(
                        "The \(provider.rawValue) hook takes deliveries at POST /v1/hooks/\(provider.rawValue) (secret \(hook.fingerprint)…). "
                            + "Recorded on the audit trail.\n")
                } catch let error as ValidationError {
                    throw error
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop accepting a provider's webhooks (its deliveries stay stored).")
            @Argument(help: "jobber, housecall-pro, callrail or square.") var provider: String
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var clockOptions: ClockOptions
            @OptionGroup var actorOptions: ActorOptions

            func validate() throws { _ = try Hook.provider(provider) }

            func run() async throws {
                do {
                    let provider = try Hook.provider(provider)
                    try HookSecrets(workspace: try options.load()).remove(provider, clock: try clockOptions.clock(), actor: actorOptions.resolve())
                    Terminal.write("The \(provider.rawValue) hook is removed: its deliveries now get 404. Recorded on the audit trail.\n")
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        struct Sign: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the signature headers a provider would send with a body (to test a hook with curl -H @FILE).")
            @Argument(help: "jobber, housecall-pro, callrail or square.") var provider: String
            @Argument(help: "The body to sign.") var file: String
            @OptionGroup var options: WorkspaceOptions
            @OptionGroup var clockOptions: ClockOptions

            func validate() throws { _ = try Hook.provider(provider) }

            func run() async throws {
                do {
                    let provider = try Hook.provider(provider)
                    guard let hook = try HookSecrets(workspace: try options.load()).hook(provider) else {
                        throw WorkspaceError.io("no \(provider.rawValue) hook is set up here: verdict hook add \(provider.rawValue) --secret-file FILE")
                    }
                    let body: Data
                    do {
                        body = try Data(contentsOf: URL(fileURLWithPath: file))
                    } catch {
                        throw WorkspaceError.io("\(file) cannot be read (\(error.localizedDescription))")
                    }
                    let headers = provider.sign(body: body, secret: hook.secret, url: hook.url, now: try clockOptions.clock().nowMilliseconds())
                    Terminal.write(headers.map { "\($0.0): \($0.1)\n" }.joined())
                } catch {
                    throw Terminal.report(error)
                }
            }
        }
    }
}
