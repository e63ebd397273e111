import Crypto
import Foundation
import VerdictStore

/// What a server token may do.
public enum TokenScope: String, CaseIterable, Sendable, Encodable {
    /// Send events (`POST /v1/events`): the website's token.
    case ingest
    /// Read experiments, reports, the audit trail and the dashboard.
    case read
    /// Change flags and record decisions.
    case admin
}

/// A token as `verdict token` lists it (never its secret).
public struct AccessToken: Sendable, Equatable, Encodable {
    public var name: String
    public var scopes: [TokenScope]
    /// UTC.
    public var createdAt: String
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case name, scopes
        case createdAt = "created_at", revokedAt = "revoked_at"
    }

    init(_ row: TokenRow) {
        name = row.name
        scopes = row.scopes.split(separator: " ").compactMap { TokenScope(rawValue: String($0)) }
        createdAt = utcTime(row.createdAt)
        revokedAt = row.revokedAt.map(utcTime)
    }

    public func allows(_ scope: TokenScope) -> Bool { revokedAt == nil && scopes.contains(scope) }
}

/// Why a token cannot be made or revoked.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// The server's bearer tokens: made with their scopes, stored as the SHA-256 of their secret
/// only (the secret is shown once), compared in constant time, revoked on the record.
public struct AccessTokens: Sendable {
    let store: EventStore
    let clock: any VerdictClock
    let actor: String

    public init(workspace: Workspace, clock: any VerdictClock, actor: String) throws {
        store = try workspace.openStore()
        self.clock = clock
        self.actor = actor
    }

    /// A token's name: letters, digits, `-`, `_` and `.`, up to 64.
    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// Makes a token; returns it with its secret, which is not stored and cannot be shown again.
    public func create(name: String, scopes: [TokenScope]) throws -> (token: AccessToken, secret: String) {
        guard Self.validName(name) else {
            throw TokenError(description: "\"\(name)\" is not a token name: use letters, digits, -, _ and . (at most 64)")
        }
        guard !scopes.isEmpty else { throw TokenError(description: "give the token at least one scope: ingest, read or admin") }
        var generator = SystemRandomNumberGenerator()
        let secret = "vdt_" + lowercaseHex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let ordered = TokenScope.allCases.filter(scopes.contains)
        let row = TokenRow(
            name: name, hash: Self.digest(secret), scopes: ordered.map(\.rawValue).joined(separator: " "), createdAt: clock.nowMilliseconds())
        try store.createToken(
            row,
            audit: AuditTrail.maker(
                at: row.createdAt, changeID: "", actor: actor, action: "token-create",
                details: TokenDetails(name: name, scopes: ordered.map(\.rawValue))))
        return (AccessToken(row), secret)
    }

    /// Every token, revoked ones too.
    public func list() throws -> [AccessToken] {
        try store.tokens().map(AccessToken.init)
    }

    /// Revokes a token: from now on it opens nothing.
    public func revoke(name: String) throws {
        let at = clock.nowMilliseconds()
        try store.revokeToken(
            name, at: at, audit: AuditTrail.maker(at: at, changeID: "", actor: actor, action: "token-revoke", details: TokenDetails(name: name, scopes: nil)))
    }

    /// The tokens in force, for a server to check requests against (`TokenCheck`).
    public func check() throws -> TokenCheck {
        TokenCheck(try store.tokens().filter { $0.revokedAt == nil })
    }

    static func digest(_ secret: String) -> String {
        sha256Hex(secret)
    }
}

/// The tokens in force, held by a server: finds the token a bearer secret belongs to.
public struct TokenCheck: Sendable {
    let tokens: [(hash: [UInt8], token: AccessToken)]

    init(_ rows: [TokenRow]) {
        tokens = rows.map { (Array(Self.bytes($0.hash)), AccessToken($0)) }
    }

    /// The token whose secret this is, or nil. The presented secret is hashed, and its digest
    /// compared with every stored one in full (no early exit), so the time taken tells nothing
    /// about how close a guess came.
    public func token(for secret: String) -> AccessToken? {
        let presented = Array(SHA256.hash(data: Data(secret.utf8)))
        var found: AccessToken?
        for (hash, token) in tokens {
            var difference: UInt8 = hash.count == presented.count ? 0 : 1
            for (a, b) in zip(hash, presented) { difference |= a ^ b }
            if difference == 0 { found = token }
        }
        return found
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}

struct TokenDetails: Encodable, Sendable {
    var name: String
    var scopes: [String]?
}
