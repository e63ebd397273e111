import Foundation

/// The workspace's `inbox/`: where the job software's scheduled export, or a sync tool, drops
/// the night's files. `verdict daily` ingests each first (the importer is found from its header),
/// then moves it to `inbox/done/`, or to `inbox/failed/` with a note saying why.
public struct Inbox: Sendable {
    let workspace: Workspace
    let clock: any VerdictClock
    let actor: String

    public init(workspace: Workspace, clock: any VerdictClock, actor: String) {
        self.workspace = workspace
        self.clock = clock
        self.actor = actor
    }

    /// What became of one file.
    public struct File: Encodable, Sendable, Equatable {
        public var name: String
        /// `done`, `failed`, or `waiting` (the store was busy: it stays in the inbox for the next run).
        public var outcome: String
        public var importer: String?
        public var stored = 0
        public var duplicates = 0
        public var quarantined = 0
        /// The batch, or the batch that already held it.
        public var batch: Int64?
        public var alreadyIngested = false
        /// Where it was moved, relative to the workspace.
        public var movedTo: String?
        public var error: String?

        enum CodingKeys: String, CodingKey {
            case name, outcome, importer, stored, duplicates, quarantined, batch, error
            case alreadyIngested = "already_ingested", movedTo = "moved_to"
        }
    }

    public var folder: URL { workspace.root.appendingPathComponent("inbox") }

    /// The files waiting, by name: not hidden, not a folder, not one still being written by its
    /// name (`.part`, `.tmp`, `.crdownload`, Excel's `~$` lock files).
    public func waiting() -> [URL] {
        let entries = (try? FileManager.default.contentsOfDirectory(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])) ?? []
        return entries.filter { url in
            let name = url.lastPathComponent
            let partial = [".part", ".tmp", ".crdownload", ".download"].contains { name.lowercased().hasSuffix($0) } || name.hasPrefix("~$")
            return !partial && (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Ingests every waiting file, each as its own batch, and moves it; `date` names the moved
    /// copies (`inbox/done/2026-11-05-jobs.csv`). A file that was already ingested (a run killed
    /// before it moved the file) is moved to done/ too, and nothing is stored twice.
    public func ingestAll(date: LocalDay) throws -> [File] {
        let files = waiting()
        guard !files.isEmpty else { return [] }
        let ingester = try Ingester(workspace: workspace, clock: clock, actor: actor)
        return files.map { url in
            let name = url.lastPathComponent
            var file = File(name: name, outcome: "done")
            // Its rows are named by where the file will be (quarantine lines point at a file that exists).
            var done: URL?
            do {
                let target = try destination(for: url, in: "done", date: date)
                done = target
                let report = try ingester.ingest(url.path, source: workspace.relativePath(of: target))
                file.importer = report.importer
                file.stored = report.outcome.stored
                file.duplicates = report.outcome.duplicates + report.outcome.identical
                file.quarantined = report.outcome.quarantined
                file.batch = report.outcome.batchID ?? report.outcome.alreadyIngested?.batchID
                file.alreadyIngested = report.outcome.alreadyIngested != nil
                try FileManager.default.moveItem(at: url, to: target)
                file.movedTo = workspace.relativePath(of: target)
            } catch {
                file.error = "\(error)"
                if Workspace.isBusy(error) {
                    file.outcome = "waiting"
                    return file
                }
                file.outcome = "failed"
                do {
                    let failed = try destination(for: url, in: "failed", date: date)
                    try FileManager.default.moveItem(at: url, to: failed)
                    let moved = workspace.relativePath(of: failed)
                    file.movedTo = moved
                    if let done { file.error = file.error?.replacingOccurrences(of: workspace.relativePath(of: done), with: moved) }
                    let note = """
                        \(name) could not be ingested on \(date):
                        \(file.error ?? "\(error)")

                        Fix the file (or the importer: plugins/importers/), then move it back into inbox/;
                        or ingest it by hand: verdict ingest \(moved) --importer NAME

                        """
                    try note.write(to: workspace.root.appendingPathComponent(moved + ".txt"), atomically: true, encoding: .utf8)
                } catch {
                    file.error! += "; and it could not be moved out of the inbox: \(error)"
                }
            }
            return file
        }
    }

    /// Where `url` goes: `inbox/SUBFOLDER/DATE-NAME`, with `-2`, `-3`… when that is taken.
    private func destination(for url: URL, in subfolder: String, date: LocalDay) throws -> URL {
        let target = folder.appendingPathComponent(subfolder)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let name = url.lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        var candidate = target.appendingPathComponent("\(date)-\(name)")
        var count = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = target.appendingPathComponent("\(date)-\(stem)-\(count)" + (ext.isEmpty ? "" : ".\(ext)"))
            count += 1
        }
        return candidate
    }

    /// One line per file for the morning text.
    static func lines(_ files: [File]) -> [String] {
        files.map { file in
            switch file.outcome {
            case "done":
                let how = file.importer.map { ", importer \($0)" } ?? ""
                let what = file.alreadyIngested
                    ? "already ingested as batch \(file.batch ?? 0); nothing stored"
                    : "\(file.stored) stored, \(file.duplicates) skipped, \(file.quarantined) quarantined (batch \(file.batch ?? 0)\(how))"
                return "  inbox/\(file.name): \(what); moved to \(file.movedTo ?? "?")"
            case "waiting":
                return "  inbox/\(file.name): left for the next run (\(file.error ?? "the store was busy"))"
            default:
                let note = file.movedTo.map { "moved to \($0), why in \($0).txt" } ?? "not moved"
                return "  inbox/\(file.name): FAILED (\(note)); see ERROR below"
            }
        }
    }
}
