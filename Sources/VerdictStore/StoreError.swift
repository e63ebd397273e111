/// A failure of the store, with the SQL involved when there is one.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The store was written by a newer Verdict.
    case newerSchema(found: Int, supported: Int)
    /// SQLite refused a statement.
    case sqlite(message: String, sql: String?)
    /// The store file cannot be opened.
    case cannotOpen(path: String, reason: String)
    /// What a command named (a batch) is not in the store.
    case notFound(String)
    /// What a write was made from changed before it could be stored; the caller may try again.
    case conflict(String)
    /// The disk that holds `path` is full: `action` could not be done. Nothing was half-written.
    case diskFull(path: String, action: String)
    /// There is no store file where one should be. `evidence` names the workspace's files that
    /// show it had one (empty: it never had).
    case missing(path: String, evidence: [String])
    /// Another process kept writing to the store for longer than this one would wait.
    case busy(holder: StoreWriter?, waited: Double)

    /// A message that says what went wrong.
    public var description: String {
        switch self {
        case .newerSchema(let found, let supported):
            "the store is at schema version \(found), and this Verdict knows versions up to \(supported): upgrade Verdict"
        case .sqlite(let message, let sql):
            sql.map { "store error: \(message) (in: \($0))" } ?? "store error: \(message)"
        case .cannotOpen(let path, let reason):
            "cannot open the store \(path): \(reason)"
        case .notFound(let message), .conflict(let message):
            message
        case .diskFull(let path, let action):
            "the disk is full: cannot \(action) \(path). Nothing was half-written; free some space on that disk and run it again"
        case .missing(let path, let evidence) where evidence.isEmpty:
            "this workspace has no store (\(path)): `verdict init` makes one"
        case .missing(let path, let evidence):
            "the store \(path) is missing, but this workspace had one (\(evidence.joined(separator: ", ")) "
                + "\(evidence.count == 1 ? "is" : "are") still here). Nothing was created. Restore the last backup with "
                + "`verdict restore FILE` (docs/operations.md, Backups); to start again with an empty store, run `verdict init --new-store`"
        case .busy(let holder, let waited):
            "gave up after \(Int(waited)) s waiting for another writer to the store (\(holder.map(String.init(describing:)) ?? "a process that did not say who it is")). "
                + "Nothing was written; run it again once that one has ended (VERDICT_WRITE_WAIT sets how many seconds to wait)"
        }
    }
}
