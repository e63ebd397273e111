import Crypto
import Foundation
import VerdictStore

/// The workspace's audit trail: every action (an ingest, a batch removed, and with the lifecycle a
/// start, a flag change, a verdict, a decision) as one record in a single hash chain, so an edited,
/// deleted, inserted or reordered record is found by `verify`, and a truncation too against a
/// head the owner kept. docs/audit.md gives the record form and the hash exactly.
public struct AuditTrail: Sendable {
    let store: EventStore
    /// The workspace, to re-evaluate recorded verdicts (`verify(reproduce:)`).
    let workspace: Workspace?

    /// The trail of the workspace's store.
    public init(workspace: Workspace) throws {
        store = try workspace.openStore()
        self.workspace = workspace
    }

    init(store: EventStore) {
        self.store = store
        workspace = nil
    }

    /// The previous hash of the first record.
    public static let genesis = String(repeating: "0", count: 64)

    /// A record's hash: SHA-256, as lowercase hex, of its fields joined by U+001F in this order:
    /// seq, at (epoch milliseconds), change_id, actor, action, details, the previous record's hash.
    public static func hash(
        seq: Int64, at: Int64, changeID: String, actor: String, action: String, details: String, previousHash: String
    ) -> String {
        let text = [String(seq), String(at), changeID, actor, action, details, previousHash].joined(separator: "\u{1F}")
        return lowercaseHex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Details as canonical JSON: keys sorted, no spaces, slashes unescaped.
    static func canonicalJSON(_ details: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(details)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// What makes the next record of an action, once the store knows its place in the chain.
    static func maker(
        at: Int64, changeID: String, actor: String, action: String, details: some Encodable
    ) -> AuditRecordMaker {
        let text = canonicalJSON(details)
        return { seq, previous in
            let previousHash = previous ?? genesis
            return AuditRow(
                seq: seq, at: at, changeID: changeID, actor: actor, action: action, details: text, previousHash: previousHash,
                hash: hash(seq: seq, at: at, changeID: changeID, actor: actor, action: action, details: text, previousHash: previousHash))
        }
    }

    /// Appends a record in a transaction of its own.
    @discardableResult
    public func append(
        at: Int64, changeID: String = "", actor: String, action: String, details: some Encodable & Sendable
    ) throws -> AuditRecord {
        AuditRecord(try store.appendAudit(Self.maker(at: at, changeID: changeID, actor: actor, action: action, details: details)))
    }

    /// The records in order, of one change or all.
    public func records(changeID: String? = nil) throws -> [AuditRecord] {
        try store.auditRows(changeID: changeID).map(AuditRecord.init)
    }

    /// The last record's place and hash, `SEQ:HASH`, for the owner to keep outside the store.
    public func head() throws -> AuditHead? {
        try store.auditHead().map(AuditHead.init)
    }
}

/// One record as the surfaces show it.
public struct AuditRecord: Sendable, Equatable, Encodable {
    public var seq: Int64
    /// UTC (`2026-11-09T13:00:00Z`).
    public var at: String
    /// The change it concerns; empty for the workspace.
    public var changeID: String
    public var actor: String
    public var action: String
    /// The details as canonical JSON text.
    public var details: String
    public var previousHash: String
    public var hash: String

    init(_ row: AuditRow) {
        seq = row.seq
        at = utcTime(row.at)
        changeID = row.changeID
        actor = row.actor
        action = row.action
        details = row.details
        previousHash = row.previousHash
        hash = row.hash
    }

    enum CodingKeys: String, CodingKey {
        case seq, at, actor, action, details, hash
        case changeID = "change_id", previousHash = "prev_hash"
    }

    /// The details as a JSON object, not a string inside the JSON.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(at, forKey: .at)
        try c.encode(changeID, forKey: .changeID)
        try c.encode(actor, forKey: .actor)
        try c.encode(action, forKey: .action)
        try c.encode(JSONFragment(details), forKey: .details)
        try c.encode(previousHash, forKey: .previousHash)
        try c.encode(hash, forKey: .hash)
    }
}

/// `SEQ:HASH`: where the trail ended when the owner looked, kept outside the store.
public struct AuditHead: Sendable, Equatable, CustomStringConvertible {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// The head a stored record makes.
    init(_ record: AuditRow) {
        self.init(seq: record.seq, hash: record.hash)
    }

    /// Reads `SEQ:HASH`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
        guard parts.count == 2, let seq = Int64(parts[0]), seq > 0, parts[1].count == 64,
            parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        self.init(seq: seq, hash: String(parts[1]))
    }

    public var description: String { "\(seq):\(hash)" }

    /// A head given as `SEQ:HASH`, or as a file that holds one (`daily/2026-11-12.txt`, a saved
    /// webhook message, `dashboards/index.html`): the latest head in it.
    public static func read(_ argument: String, relativeTo folder: URL) throws(WorkspaceError) -> AuditHead {
        if let head = AuditHead(argument) { return head }
        let file = URL(fileURLWithPath: argument, relativeTo: folder)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw .io("\"\(argument)\" is neither SEQ:HASH, as `verdict audit head` prints it, nor a file that can be read")
        }
        guard let head = AuditHead(fromTextHolding: String(decoding: data, as: UTF8.self)) else {
            throw .io("\(argument) holds no audit head (SEQ:HASH, as `verdict audit head` prints it)")
        }
        return head
    }

    /// The latest head a text holds (a `daily/DATE.txt`, the daily webhook's message, a
    /// dashboard page): the `SEQ:HASH` with the highest SEQ; nil when it holds none.
    public init?(fromTextHolding text: String) {
        let bytes = Array(text.utf8)
        var best: AuditHead?
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: ":") else {
                index += 1
                continue
            }
            var start = index
            while start > 0, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[start - 1]) { start -= 1 }
            let end = index + 1 + 64
            let isHex = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) }
            if start < index, end <= bytes.count, bytes[(index + 1)..<end].allSatisfy(isHex), end == bytes.count || !isHex(bytes[end]),
                start == 0 || !isHex(bytes[start - 1]),
                let head = AuditHead(String(decoding: bytes[start..<end], as: UTF8.self)), head.seq > (best?.seq ?? 0)
            {
                best = head
            }
            index += 1
        }
        guard let best else { return nil }
        self = best
    }
}

/// JSON text placed as it is inside encoded output (valid JSON that Verdict wrote itself).
struct JSONFragment: Encodable {
    let value: AnyJSON

    init(_ text: String) {
        value = (try? JSONDecoder().decode(AnyJSON.self, from: Data(text.utf8))) ?? .string(text)
    }

    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Any JSON value, to carry details through decoding and encoding.
enum AnyJSON: Codable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    subscript(key: String) -> AnyJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}
