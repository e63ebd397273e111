import Crypto
import Foundation
import VerdictScript
import VerdictStore

/// Webhooks in: a delivery is verified with its provider's signature before anything reads it,
/// stored raw (the answer goes back as soon as it is), then read by the provider's mapping
/// plugin into events, a batch per delivery. The same delivery twice is stored once; its events
/// carry ids from the provider's own (`jobber-job-…`, `hcp-1001-…`), so a redelivered or
/// repeated event is stored once too. An unknown topic is kept and counted; a payload the
/// mapping cannot read goes to quarantine with its reason.
public final class HookIntake: Sendable {
    let workspace: Workspace
    let clock: any VerdictClock
    let store: EventStore
    let ingester: Ingester
    /// One delivery's mapping at a time (a Lua sandbox is used by one thread).
    private let mapping = NSLock()

    public init(workspace: Workspace, clock: any VerdictClock) throws {
        self.workspace = workspace
        self.clock = clock
        store = try workspace.openStore()
        ingester = try Ingester(workspace: workspace, clock: clock, actor: "hooks")
    }

    /// What the server answers a delivery.
    public enum Answer: Sendable, Equatable {
        /// Stored (or stored before: `duplicate`), to be read right after.
        case accepted(id: Int64, duplicate: Bool)
        /// No such provider, or no hook set up for it (404).
        case notFound(String)
        /// A missing or wrong signature, or a replay (401). Nothing was stored.
        case unauthorized(String)
    }

    /// Verifies and stores one delivery. `header` reads a request header by name; `url` is the
    /// address the request came to (Square signs the one registered, kept with its hook).
    public func receive(provider name: String, body: Data, header: (String) -> String?) throws -> Answer {
        guard let provider = HookProvider(rawValue: name) else {
            return .notFound("no webhook provider \"\(name)\"; Verdict takes \(HookProvider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let hook = try HookSecrets(workspace: workspace).hook(provider) else {
            return .notFound("no \(provider.rawValue) hook is set up here: verdict hook add \(provider.rawValue) --secret-file FILE")
        }
        if let refusal = provider.refusal(body: body, header: header, secret: hook.secret, url: hook.url, now: clock.nowMilliseconds()) {
            return .unauthorized(refusal)
        }
        let sha256 = lowercaseHex(SHA256.hash(data: body))
        let stored = try store.storeDelivery(provider: provider.rawValue, body: body, sha256: sha256, at: clock.nowMilliseconds())
        return .accepted(id: stored.id, duplicate: stored.duplicate)
    }

    /// What reading one delivery did.
    public struct Processed: Sendable, Equatable, Encodable {
        public var delivery: Int64
        public var provider: String
        public var status: String
        public var topic: String?
        public var stored = 0
        public var duplicates = 0
        public var quarantined = 0
        public var batch: Int64?
        public var error: String?
    }

    /// Reads every delivery not read yet, oldest first: after each delivery the server calls it,
    /// and at its start (deliveries stored by a server that stopped before reading them).
    /// A provider whose mapping does not load leaves its deliveries to read once it is fixed.
    public func processPending() throws -> [Processed] {
        mapping.lock()
        defer { mapping.unlock() }
        var mappings: [HookProvider: Result<HookMapping, ScriptError>] = [:]
        var done: [Processed] = []
        for delivery in try store.pendingDeliveries() {
            guard let provider = HookProvider(rawValue: delivery.provider) else { continue }
            let loaded = mappings[provider] ?? Result { () throws(ScriptError) in try HookMapping(for: provider, workspace: workspace) }
            mappings[provider] = loaded
            switch loaded {
            case .failure(let error):
                done.append(Processed(delivery: delivery.id, provider: provider.rawValue, status: "received", error: "\(error)"))
            case .success(let mapping):
                done.append(try process(delivery, provider: provider, mapping: mapping))
            }
        }
        return done
    }

    private func process(_ delivery: HookDeliveryRow, provider: HookProvider, mapping: HookMapping) throws -> Processed {
        var result = Processed(delivery: delivery.id, provider: provider.rawValue, status: "mapped")
        let source = "hooks/\(provider.rawValue)/\(delivery.id)"
        let raw = String(decoding: delivery.body, as: UTF8.self)
        var rows: [IngestPipeline.RowResult] = []
        var topic: String?
        func quarantine(_ reason: String, line: Int = 1) {
            rows.append(.quarantine(QuarantinedRow(source: source, line: line, reason: reason, raw: raw)))
        }
        do {
            let json = try JSONDecoder().decode(AnyJSON.self, from: delivery.body)
            let payload = LuaValue(json: json)
            let name = try mapping.topic(of: payload)
            topic = String(name.prefix(200))
            guard mapping.knows(name) else {
                try store.markDelivery(delivery.id, status: "unknown_topic", topic: topic)
                result.status = "unknown_topic"
                result.topic = topic
                return result
            }
            let context = LuaValue.table(["id": .integer(delivery.id), "received_at": .string(utcTime(delivery.receivedAt))])
            let events = try mapping.events(of: payload, topic: name, delivery: context)
            if events.isEmpty {
                try store.markDelivery(delivery.id, status: "no_events", topic: topic)
                result.status = "no_events"
                result.topic = topic
                return result
            }
            var validator = EventValidator(timeZone: workspace.timeZone)
            for (index, value) in events.enumerated() {
                let prefix = events.count > 1 ? "event \(index + 1) of \(events.count): " : ""
                guard let fields = value.tableValue else {
                    quarantine("\(prefix)the \(mapping.name) mapping gave \(value.typeName), not an event table", line: index + 1)
                    continue
                }
                switch validator.validate(RawEvent(fields)) {
                case .success(let event): rows.append(.event(event, resolves: []))
                case .failure(let failure): quarantine(prefix + failure.message, line: index + 1)
                }
            }
        } catch is DecodingError {
            // Foundation's own text ("The data isn't in the correct format") says no more than this.
            quarantine("the delivery is not JSON (its raw body is kept as it came)")
        } catch let error as ScriptError {
            quarantine("the \(mapping.name) mapping failed on this delivery: \(error)")
        }
        let identity = lowercaseHex(SHA256.hash(data: Data("verdict-hook 1\n\(provider.rawValue)\n\(delivery.sha256)\n\(mapping.seal)".utf8)))
        let quarantinedOnly = !rows.contains { if case .event = $0 { true } else { false } }
        let status = quarantinedOnly ? "quarantined" : "mapped"
        var body = Ingester.PreparedBody(
            source: source, actor: "hook:\(provider.rawValue)", bytes: delivery.body.count,
            prepared: IngestPipeline.Prepared(rows: rows, sha256: identity, header: nil))
        body.format = "hook:\(provider.rawValue)"
        body.delivery = (delivery.id, status, topic)
        let report = try ingester.write([body])[0].get()
        result.status = report.outcome.alreadyIngested != nil ? "mapped" : status
        result.topic = topic
        result.stored = report.outcome.stored
        result.duplicates = report.outcome.duplicates + report.outcome.identical
        result.quarantined = report.outcome.quarantined
        result.batch = report.outcome.batchID ?? report.outcome.alreadyIngested?.batchID
        if report.outcome.alreadyIngested != nil { try store.markDelivery(delivery.id, status: "mapped", topic: topic) }
        return result
    }
}
