import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict backup FILE`: a consistent copy of the store, taken while everything runs.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the event store to FILE, safely while the server and other commands run.",
            discussion: """
                Uses SQLite's online backup: one consistent snapshot of every event, batch, experiment, \
                flag and audit record, written as a single file (under a temporary name, then renamed, \
                so FILE is always a whole backup; one already there is replaced). Keep backups off this \
                machine, and keep the audit head it prints: `verdict restore` checks a backup against it.

                Examples:
                  verdict backup backups/verdict-$(date +%F).sqlite
                  verdict backup /mnt/usb/brightspark.sqlite --json
                """
        )

        @Argument(help: "The file to write.") var file: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions

        func run() async throws {
            do {
                let report = try StoreBackup.backup(try options.load(), to: URL(fileURLWithPath: file, relativeTo: .currentFolder))
                if json { return Terminal.write(try JSONOutput.encode(report) + "\n") }
                Terminal.write(
                    "Backed up the store to \(file): \(report.events) events in \(report.batches) batches, "
                        + "\(report.auditRecords) audit records; audit head \(report.auditHead ?? "none (the trail is empty)").\n")
            } catch {
                throw Terminal.report(error)
            }
        }
    }

    /// `verdict restore FILE`: a backup put back, once its trail checks out.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a backup (from `verdict backup`) back as the workspace's store, after checking it.",
            discussion: """
                The backup must be a whole Verdict store whose audit trail passes `verdict audit verify`, \
                and it must agree with every audit head kept outside the store: each daily/DATE.txt, \
                dashboards/index.html, and each --head. A kept head past the backup's end is reported: \
                those records (what happened after the backup) are lost, and the files ingested since \
                should be ingested again. A kept head the backup disagrees with refuses the restore.

                Stop `verdict serve` first. With a store already there, --replace renames it aside \
                (.verdict/verdict.sqlite.replaced-TIME) before restoring. flags.json is written again \
                from the restored store, and a `restore` record goes on its trail.

                Examples:
                  verdict restore backups/verdict-2026-11-12.sqlite
                  verdict restore backup.sqlite --head 57:9f86d0...  --head ~/mail/verdict-daily.txt
                """
        )

        @Argument(help: "The backup file.") var file: String
        @Option(
            help: ArgumentHelp(
                "A head kept elsewhere: SEQ:HASH, or a file that holds one (a saved daily message). Repeatable.",
                valueName: "seq:hash|file"))
        var head: [String] = []
        @Flag(help: "Set the store that is there aside (renamed, not deleted) and restore in its place.") var replace = false
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func validate() throws {
            for argument in head {
                do {
                    _ = try AuditHead.read(argument, relativeTo: .currentFolder)
                } catch {
                    throw ValidationError("--head: \(error)")
                }
            }
        }

        func run() async throws {
            do {
                let heads = try head.map { argument throws(WorkspaceError) in
                    (source: argument, head: try AuditHead.read(argument, relativeTo: .currentFolder))
                }
                let report = try StoreBackup.restore(
                    try options.load(), from: URL(fileURLWithPath: file, relativeTo: .currentFolder), heads: heads, replacing: replace,
                    clock: try clockOptions.clock(), actor: actorOptions.resolve())
                if json { return Terminal.write(try JSONOutput.encode(report) + "\n") }
                var text = "Restored the store from \(file): \(report.events) events in \(report.batches) batches, "
                    + "\(report.auditRecords) audit records; the trail is intact (head \(report.auditHead ?? "none")).\n"
                let matched = report.keptHeads.filter { $0.status == "matches" }
                if !matched.isEmpty {
                    text += "It agrees with the heads kept in \(matched.map(\.source).joined(separator: ", ")).\n"
                }
                if report.keptHeads.isEmpty { text += "No head was kept outside the store to check it against.\n" }
                if let lost = report.lost {
                    text += Terminal.warning("LOST:", on: .output) + " \(lost). Ingest the files received since the backup again.\n"
                }
                if let aside = report.replacedStore { text += "The store that was there is now \(aside).\n" }
                text += "flags.json was written again from the restored store.\n"
                Terminal.write(text)
            } catch {
                throw Terminal.report(error)
            }
        }
    }
}
