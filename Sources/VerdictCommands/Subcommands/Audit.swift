import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict audit`: the audit trail, its head, and its verification.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The audit trail: every ingest and batch removal (and, to come, every lifecycle action) in one hash chain.",
            discussion: """
                Each record's hash covers the record before it, so an edited, deleted, inserted or reordered \\
                record is found by `verdict audit verify`. Keep the head (`verdict audit head`) outside the \\
                store (print it, email it, commit it): verify then finds a trail cut short too. docs/audit.md \\
                gives the record form and hash, to verify with a script of your own.

                Examples:
                  verdict audit
                  verdict audit CHG-0007 --json
                  verdict audit head
                  verdict audit verify --head 12:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                  verdict audit verify --head daily/2026-11-12.txt
                """,
            subcommands: [List.self, Head.self, Verify.self],
            defaultSubcommand: List.self
        )

        /// `verdict audit [CHG]`.
        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the records, of one change or all.")

            @Argument(help: "Only this change's records.") var change: String?
            @Flag(help: "Print JSON.") var json = false
            @Flag(help: "Print CSV.") var csv = false
            @OptionGroup var options: WorkspaceOptions

            func validate() throws {
                if json && csv { throw ValidationError("choose one of --json and --csv") }
            }

            func run() async throws {
                do {
                    let records = try AuditTrail(workspace: try options.load()).records(changeID: change)
                    if json { return Terminal.write(try JSONOutput.encode(records) + "\n") }
                    let table = TableOutput(
                        headers: ["seq", "at", "change", "actor", "action", "details"],
                        rows: records.map { [String($0.seq), $0.at, $0.changeID, $0.actor, $0.action, $0.details] }, numericColumns: [0])
                    if csv { return Terminal.write(table.csv()) }
                    if records.isEmpty { return Terminal.write("The audit trail is empty.\n") }
                    Terminal.write(table.text())
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        /// `verdict audit head`.
        struct Head: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print SEQ:HASH of the last record, to keep outside the store.")

            @OptionGroup var options: WorkspaceOptions

            func run() async throws {
                do {
                    guard let head = try AuditTrail(workspace: try options.load()).head() else {
                        return Terminal.write("The audit trail is empty.\n")
                    }
                    Terminal.write("\(head)\n")
                } catch {
                    throw Terminal.report(error)
                }
            }
        }

        /// `verdict audit verify`.
        struct Verify: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check every record, the chain, the events each batch record vouches for, and a kept head.",
                discussion: """
                    Exits 0 when nothing is wrong, 2 when something is (each finding names its record). With \
                    --reproduce, every recorded verdict is also evaluated again from its sealed copy and the stored \
                    events, and must give the figures on the record.
                    """)

            @Option(
                help: ArgumentHelp(
                    "A head kept earlier: SEQ:HASH from `verdict audit head`, or a file that holds one (daily/DATE.txt, a dashboard page).",
                    valueName: "seq:hash|file"))
            var head: String?
            @Flag(help: "Print JSON.") var json = false
            @Flag(help: "Also evaluate every recorded verdict again and check its figures.") var reproduce = false
            @OptionGroup var options: WorkspaceOptions

            func validate() throws {
                if let head {
                    do {
                        _ = try AuditHead.read(head, relativeTo: .currentFolder)
                    } catch {
                        throw ValidationError("--head: \(error)")
                    }
                }
            }

            func run() async throws {
                let verification: AuditVerification
                do {
                    let kept = try head.map { argument throws(WorkspaceError) in try AuditHead.read(argument, relativeTo: .currentFolder) }
                    verification = try AuditTrail(workspace: try options.load()).verify(keptHead: kept, reproduce: reproduce)
                } catch {
                    throw Terminal.report(error)
                }
                if json {
                    Terminal.write(try JSONOutput.encode(verification) + "\n")
                } else {
                    for finding in verification.findings { Terminal.write("\(Terminal.alert("FOUND:", on: .output)) \(finding)\n") }
                    for note in verification.notes { Terminal.write("note: \(note)\n") }
                    var summary = "\(verification.records) record\(verification.records == 1 ? "" : "s"), \(verification.batchesChecked) batch\(verification.batchesChecked == 1 ? "" : "es") checked"
                    if reproduce {
                        summary += ", \(verification.verdictsReproduced) verdict\(verification.verdictsReproduced == 1 ? "" : "s") reproduced"
                    }
                    Terminal.write(
                        verification.isIntact
                            ? "The audit trail is intact: \(summary); head \(verification.head ?? "none").\n"
                            : "The audit trail is NOT intact: \(verification.findings.count) finding\(verification.findings.count == 1 ? "" : "s") (\(summary)).\n")
                }
                if !verification.isIntact { throw ExitCode(2) }
            }
        }
    }
}
