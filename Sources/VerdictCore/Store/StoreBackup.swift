import Foundation
import VerdictStore

/// A backup written by `verdict backup FILE`.
public struct BackupReport: Sendable, Equatable, Encodable {
    public var file: String
    public var events: Int
    public var batches: Int
    public var auditRecords: Int
    /// The backup's audit head, `SEQ:HASH`.
    @NullEncoded public var auditHead: String?

    enum CodingKeys: String, CodingKey {
        case file, events, batches
        case auditRecords = "audit_records", auditHead = "audit_head"
    }
}

/// A head kept outside the store, as `verdict restore` compared it with the backup's trail.
public struct KeptHeadCheck: Sendable, Equatable, Encodable {
    /// Where it was kept: a workspace file (`daily/2026-11-12.txt`) or `--head`.
    public var source: String
    public var head: String
    /// `matches`: the backup's trail has that record. `after-backup`: the record came after the
    /// backup was made, so what happened since is not in it. `abandoned`: an earlier restore
    /// recorded it as lost.
    public var status: String
}

/// A store put back by `verdict restore FILE`.
public struct RestoreReport: Sendable, Equatable, Encodable {
    public var file: String
    public var events: Int
    public var batches: Int
    /// The backup's trail, as `audit verify` found it: its records, and its head before the
    /// `restore` record was added.
    public var auditRecords: Int
    @NullEncoded public var auditHead: String?
    public var keptHeads: [KeptHeadCheck]
    /// Set when a kept head is past the backup's end: the records lost with the store.
    @NullEncoded public var lost: String?
    /// Where the store that was there went (`--replace`).
    @NullEncoded public var replacedStore: String?

    enum CodingKeys: String, CodingKey {
        case file, events, batches, lost
        case auditRecords = "audit_records", auditHead = "audit_head", keptHeads = "kept_heads", replacedStore = "replaced_store"
    }
}

/// Why `verdict restore` put nothing back.
public enum RestoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case storeExists(String)
    case notIntact(file: String, findings: [String])
    case headMismatch(file: String, source: String, kept: String, found: String?)

    public var description: String {
        switch self {
        case .storeExists(let path):
            "\(path) is there: this workspace has its store. Nothing was changed; --replace sets it aside "
                + "(renamed, not deleted) and restores the backup in its place"
        case .notIntact(let file, let findings):
            "\(file) does not pass `audit verify`; nothing was restored:\n" + findings.map { "  \($0)" }.joined(separator: "\n")
        case .headMismatch(let file, let source, let kept, let found):
            "the head \(kept) kept in \(source) is not in \(file) (its record \(kept.split(separator: ":")[0]) is "
                + "\(found.map { "\($0)" } ?? "missing")): the backup is not this workspace's trail, or its trail was rewritten. Nothing was restored"
        }
    }
}

/// `verdict backup` and `verdict restore`: the store copied out while everything runs, and put
/// back only after its trail checks out against every head kept outside it.
public enum StoreBackup {
    /// Writes a consistent copy of the workspace's store to `file` (SQLite's online backup: safe
    /// while the server and other commands run).
    public static func backup(_ workspace: Workspace, to file: URL) throws -> BackupReport {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), isFolder.boolValue {
            throw WorkspaceError.io("\(file.relativePath) is a folder: name the backup file in it, as \(file.relativePath)/verdict.sqlite")
        }
        let store = try workspace.openStore()
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw WorkspaceError.cannotWrite(file.relativePath, at: file, error)
        }
        let contents = try store.backup(to: file.path)
        return BackupReport(
            file: file.relativePath, events: contents.events, batches: contents.batches, auditRecords: contents.auditRecords,
            auditHead: contents.auditHead.map { AuditHead($0).description })
    }

    /// The audit heads the workspace keeps outside its store: each daily summary's and the
    /// dashboard's, the latest of each file.
    public static func keptHeads(in workspace: Workspace) -> [(source: String, head: AuditHead)] {
        let manager = FileManager.default
        var found: [(String, AuditHead)] = []
        let daily = workspace.root.appendingPathComponent("daily")
        let files = ((try? manager.contentsOfDirectory(atPath: daily.path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
        for name in files {
            if let text = try? String(contentsOf: daily.appendingPathComponent(name), encoding: .utf8),
                let head = AuditHead(fromTextHolding: text)
            {
                found.append(("daily/\(name)", head))
            }
        }
        if let text = try? String(contentsOf: workspace.root.appendingPathComponent("dashboards/index.html"), encoding: .utf8),
            let head = AuditHead(fromTextHolding: text)
        {
            found.append(("dashboards/index.html", head))
        }
        return found
    }

    /// Puts the store in `file` back as the workspace's store, after checking it: a whole
    /// Verdict store whose trail passes `audit verify` and holds every kept head at or before
    /// its end (`heads`, and those of `keptHeads`). A kept head past its end is reported as lost
    /// records; one that disagrees refuses the restore. With `replacing`, a store that is there
    /// is renamed aside first; without, it refuses. Then flags.json is written from the restored
    /// store, and a `restore` record goes on its trail.
    public static func restore(
        _ workspace: Workspace, from file: URL, heads: [(source: String, head: AuditHead)] = [], replacing: Bool,
        clock: any VerdictClock, actor: String
    ) throws -> RestoreReport {
        let manager = FileManager.default
        let storePath = workspace.storePath
        let shown = workspace.relativePath(of: URL(fileURLWithPath: storePath))
        if manager.fileExists(atPath: storePath) && !replacing { throw RestoreError.storeExists(shown) }
        guard manager.fileExists(atPath: file.path) else { throw WorkspaceError.io("\(file.relativePath): no such file") }
        try manager.createDirectory(at: workspace.stateFolder, withIntermediateDirectories: true)

        // The backup is copied and checked under a name of its own; the store is not touched
        // until the copy is whole and its trail checks out.
        let staging = storePath + ".restoring-\(ProcessInfo.processInfo.processIdentifier)"
        let sideFiles = ["-wal", "-shm", "-writer"]
        func removeStaging() {
            for suffix in [""] + sideFiles { try? manager.removeItem(atPath: staging + suffix) }
        }
        removeStaging()
        defer { removeStaging() }
        _ = try EventStore.copyStore(from: file.path, to: staging)
        let report: RestoreReport
        do {
            let staged = try EventStore(path: staging)  // brings an older backup's schema up to date
            let contents = try staged.contents()
            let verification = try AuditTrail(store: staged).verify()
            guard verification.isIntact else {
                throw RestoreError.notIntact(file: file.relativePath, findings: verification.findings.map(\.description))
            }
            let rows = try staged.auditRows()
            let hashes = Dictionary(uniqueKeysWithValues: rows.map { ($0.seq, $0.hash) })
            let last = rows.last?.seq ?? 0
            var checks: [KeptHeadCheck] = []
            var latestLost: (source: String, head: AuditHead)?
            let abandoned = RestoreAuditDetails.abandonedHeads(in: rows)
            for (source, head) in heads + keptHeads(in: workspace) {
                if abandoned.contains(head.description) {
                    checks.append(KeptHeadCheck(source: source, head: head.description, status: "abandoned"))
                } else if head.seq <= last {
                    guard hashes[head.seq] == head.hash else {
                        throw RestoreError.headMismatch(
                            file: file.relativePath, source: source, kept: head.description,
                            found: hashes[head.seq].map { "\(head.seq):\($0)" })
                    }
                    checks.append(KeptHeadCheck(source: source, head: head.description, status: "matches"))
                } else {
                    checks.append(KeptHeadCheck(source: source, head: head.description, status: "after-backup"))
                    if head.seq > (latestLost?.head.seq ?? 0) { latestLost = (source, head) }
                }
            }
            let lost = latestLost.map {
                "the backup ends at record \(last); \($0.source) kept record \($0.head.seq), so records \(last + 1) to \($0.head.seq) "
                    + "(what happened after the backup) are not in it"
            }
            report = RestoreReport(
                file: file.relativePath, events: contents.events, batches: contents.batches, auditRecords: contents.auditRecords,
                auditHead: contents.auditHead.map { AuditHead($0).description }, keptHeads: checks, lost: lost)
        }
        try EventStore.closeUp(staging)

        var result = report
        if manager.fileExists(atPath: storePath) {
            let aside = storePath + ".replaced-\(clock.nowMilliseconds())"
            try EventStore.closeUp(storePath)
            try manager.moveItem(atPath: storePath, toPath: aside)
            result.replacedStore = workspace.relativePath(of: URL(fileURLWithPath: aside))
        }
        // A lost store's side files would be read as the restored store's: never leave them.
        for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: storePath + suffix) {
            try manager.moveItem(atPath: storePath + suffix, toPath: storePath + suffix + ".stale-\(clock.nowMilliseconds())")
        }
        guard rename(staging, storePath) == 0 else {
            throw WorkspaceError.io("cannot move the restored store into place at \(shown): \(String(cString: strerror(errno)))")
        }
        try AuditTrail(workspace: workspace).append(
            at: clock.nowMilliseconds(), actor: actor, action: "restore",
            details: RestoreAuditDetails(
                file: file.lastPathComponent, backupHead: result.auditHead, lost: result.lost,
                abandoned: result.keptHeads.filter { $0.status == "after-backup" }.map(\.head)))
        _ = try Lifecycle(workspace: workspace, clock: clock, actor: actor).writeFlagsFile()
        return result
    }
}

/// The `restore` record's details: the backup's file name and head, what was lost, and the
/// kept heads past the backup's end (`abandoned`): records that no longer exist, so a later
/// `audit verify --head` or restore against one of those says so instead of calling it a rewrite.
struct RestoreAuditDetails: Codable, Sendable {
    var file: String
    var backupHead: String?
    var lost: String?
    var abandoned: [String]

    enum CodingKeys: String, CodingKey {
        case file, lost, abandoned
        case backupHead = "backup_head"
    }

    /// The heads the `restore` records among `rows` abandoned.
    static func abandonedHeads(in rows: [AuditRow]) -> Set<String> {
        Set(rows.filter { $0.action == "restore" }.flatMap { row in
            (try? JSONDecoder().decode(RestoreAuditDetails.self, from: Data(row.details.utf8)))?.abandoned ?? []
        })
    }
}
