import Crypto
import Foundation
import VerdictStore

/// The webhooks a workspace accepts and their signing secrets, in `.verdict/hooks.json`, a file
/// only its owner may read (mode 0600): never in verdict.lua, which is shared and versioned.
/// Adding and removing a hook goes on the audit trail, with the secret's fingerprint (the first
/// 12 hex digits of its SHA-256), never the secret.
public struct HookSecrets: Sendable {
    let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// One provider's hook.
    public struct Hook: Codable, Sendable, Equatable {
        public var provider: HookProvider
        public var secret: String
        /// The notification URL as registered with the provider (Square signs it).
        public var url: String?
        /// UTC.
        public var addedAt: String

        enum CodingKeys: String, CodingKey {
            case provider, secret, url
            case addedAt = "added_at"
        }

        /// The secret's fingerprint: enough to tell two secrets apart, nothing to sign with.
        public var fingerprint: String { String(lowercaseHex(SHA256.hash(data: Data(secret.utf8))).prefix(12)) }
    }

    public var file: URL { workspace.root.appendingPathComponent(".verdict/hooks.json") }

    /// The hooks, by provider.
    public func hooks() throws -> [Hook] {
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        do {
            return try JSONDecoder().decode([Hook].self, from: Data(contentsOf: file))
        } catch {
            throw WorkspaceError.io("\(workspace.relativePath(of: file)) cannot be read (\(error.localizedDescription)); add the hooks again with verdict hook add")
        }
    }

    public func hook(_ provider: HookProvider) throws -> Hook? {
        try hooks().first { $0.provider == provider }
    }

    /// Adds (or replaces) a provider's hook; its secret is read from `secretText` (a file's
    /// contents, surrounding white space trimmed).
    public func add(_ provider: HookProvider, secretText: String, url: String?, clock: any VerdictClock, actor: String) throws -> Hook {
        let secret = secretText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw WorkspaceError.io("the secret file is empty: put the provider's signing secret in it") }
        guard !secret.contains("\n") else { throw WorkspaceError.io("the secret file holds more than one line: put only the signing secret in it") }
        if provider.needsURL {
            guard let url, let parsed = URL(string: url), ["https", "http"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw WorkspaceError.io("Square signs the notification URL too: give it with --url, exactly as registered (https://…/v1/hooks/square)")
            }
        }
        let now = clock.nowMilliseconds()
        let hook = Hook(provider: provider, secret: secret, url: provider.needsURL ? url : url, addedAt: utcTime(now))
        var all = try hooks().filter { $0.provider != provider }
        let replaced = all.count != (try hooks().count)
        all.append(hook)
        try write(all.sorted { $0.provider.rawValue < $1.provider.rawValue })
        let store = try workspace.openStore()
        _ = try store.appendAudit(
            AuditTrail.maker(
                at: now, changeID: "", actor: actor, action: "hook-add",
                details: HookAuditDetails(provider: provider.rawValue, fingerprint: hook.fingerprint, url: hook.url, replaced: replaced)))
        return hook
    }

    /// A warning for a hook whose events would count twice with stored exports: Jobber's
    /// webhooks name jobs by their API id, its exports by `Job #` (docs/server.md).
    public func overlapWarning(_ provider: HookProvider) throws -> String? {
        guard provider == .jobber else { return nil }
        let exports = try workspace.openStore().batches().filter { $0.removedAt == nil && $0.format.hasPrefix("csv:jobber") }
        guard !exports.isEmpty else { return nil }
        return "warning: \(exports.count) Jobber export\(exports.count == 1 ? " is" : "s are") stored. Jobber's webhooks name a job by its API id and its exports by Job #, "
            + "so a job from both counts twice: take Jobber's jobs from the exports or from the webhooks, not both (docs/server.md)."
    }

    /// Removes a provider's hook; its deliveries stay stored.
    public func remove(_ provider: HookProvider, clock: any VerdictClock, actor: String) throws {
        let all = try hooks()
        guard let hook = all.first(where: { $0.provider == provider }) else {
            throw WorkspaceError.io("there is no \(provider.rawValue) hook; verdict hook list shows them")
        }
        try write(all.filter { $0.provider != provider })
        let store = try workspace.openStore()
        _ = try store.appendAudit(
            AuditTrail.maker(
                at: clock.nowMilliseconds(), changeID: "", actor: actor, action: "hook-remove",
                details: HookAuditDetails(provider: provider.rawValue, fingerprint: hook.fingerprint, url: hook.url, replaced: nil)))
    }

    /// A hook as `verdict hook list` shows it: never its secret.
    public struct Listed: Encodable, Sendable {
        public var provider: String
        /// Nil for a provider that sent deliveries but has no hook now (removed).
        public var fingerprint: String?
        public var url: String?
        public var addedAt: String?
        /// Where the provider should send: the path on this server.
        public var path: String
        public var deliveries: [Deliveries]

        public struct Deliveries: Encodable, Sendable {
            public var topic: String?
            public var status: String
            public var count: Int
            /// UTC.
            public var last: String
        }

        enum CodingKeys: String, CodingKey {
            case provider, url, path, deliveries
            case fingerprint = "secret_sha256_prefix", addedAt = "added_at"
        }
    }

    /// Every hook, and every provider that sent deliveries, with the deliveries counted by topic
    /// and what became of them.
    public func list() throws -> [Listed] {
        let counts = try workspace.openStore().deliveryCounts()
        let hooks = try hooks()
        let providers = Set(hooks.map(\.provider.rawValue) + counts.map(\.provider)).sorted()
        return providers.map { name in
            let hook = hooks.first { $0.provider.rawValue == name }
            return Listed(
                provider: name, fingerprint: hook?.fingerprint, url: hook?.url, addedAt: hook?.addedAt, path: "/v1/hooks/\(name)",
                deliveries: counts.filter { $0.provider == name }.map {
                    Listed.Deliveries(topic: $0.topic, status: $0.status, count: $0.count, last: utcTime($0.last))
                })
        }
    }

    /// Writes the file whole (a temporary file, then renamed), readable by its owner only.
    private func write(_ hooks: [Hook]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".hooks.json.\(getpid()).tmp")
        do {
            let data = try encoder.encode(hooks)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw WorkspaceError.io("cannot create \(workspace.relativePath(of: temporary))")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, file.path) != 0 { throw WorkspaceError.io("cannot replace \(workspace.relativePath(of: file)): \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WorkspaceError.cannotWrite(workspace.relativePath(of: file), at: file, error)
        }
    }
}

/// A `hook-add` or `hook-remove` record's details.
struct HookAuditDetails: Encodable {
    var provider: String
    var fingerprint: String
    var url: String?
    var replaced: Bool?

    enum CodingKeys: String, CodingKey {
        case provider, url, replaced
        case fingerprint = "secret_sha256_prefix"
    }
}
