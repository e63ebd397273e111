import GRDB

/// A server access token as stored: its name, the SHA-256 of its secret, its scopes.
public struct TokenRow: Sendable, Equatable {
    public var name: String
    /// Hex SHA-256 of the secret.
    public var hash: String
    /// Space-separated: ingest, read, admin.
    public var scopes: String
    /// Epoch milliseconds.
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(name: String, hash: String, scopes: String, createdAt: Int64, revokedAt: Int64? = nil) {
        self.name = name
        self.hash = hash
        self.scopes = scopes
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    init(_ row: Row) {
        self.init(name: row["name"], hash: row["hash"], scopes: row["scopes"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}

extension EventStore {
    /// Every token, revoked ones too, by name.
    public func tokens() throws(StoreError) -> [TokenRow] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY name").map(TokenRow.init) }
    }

    /// Stores a new token and its audit record in one transaction; refuses a name in use.
    public func createToken(_ token: TokenRow, audit: @escaping AuditRecordMaker) throws(StoreError) {
        do {
            try exclusiveWrite { db in
                if try Row.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE name = ?", arguments: [token.name]) != nil {
                    throw StoreError.conflict("a token named \(token.name) exists already (a revoked one keeps its name)")
                }
                try db.execute(
                    sql: "INSERT INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [token.name, token.hash, token.scopes, token.createdAt])
                _ = try Self.appendAudit(db, audit)
            }
        } catch {
            throw wrap(error)
        }
    }

    /// Revokes a token and records it, in one transaction; refuses an unknown or revoked one.
    public func revokeToken(_ name: String, at: Int64, audit: @escaping AuditRecordMaker) throws(StoreError) {
        do {
            try exclusiveWrite { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE name = ?", arguments: [name]).map(TokenRow.init) else {
                    throw StoreError.notFound("there is no token named \(name)")
                }
                if row.revokedAt != nil { throw StoreError.conflict("the token \(name) is revoked already") }
                try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE name = ?", arguments: [at, name])
                _ = try Self.appendAudit(db, audit)
            }
        } catch {
            throw wrap(error)
        }
    }
}
