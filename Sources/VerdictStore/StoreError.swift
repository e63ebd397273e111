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
        }
    }
}
