import Foundation
import GRDB

/// A webhook delivery as stored: the body exactly as it came, and what became of it.
public struct HookDeliveryRow: Sendable, Equatable {
    public var id: Int64
    public var provider: String
    /// Epoch milliseconds.
    public var receivedAt: Int64
    /// Hex SHA-256 of the body.
    public var sha256: String
    public var body: Data
    /// `received` (not read yet), `mapped` (its events are in `batchID`), `unknown_topic`
    /// (kept and counted; nothing to store), `no_events`, `quarantined` (`reason` says why).
    public var status: String
    public var topic: String?
    public var batchID: Int64?
    public var reason: String?

    init(_ row: Row) {
        id = row["id"]
        provider = row["provider"]
        receivedAt = row["received_at"]
        sha256 = row["sha256"]
        body = row["body"]
        status = row["status"]
        topic = row["topic"]
        batchID = row["batch_id"]
        reason = row["reason"]
    }
}

/// Deliveries counted by provider, topic and status (`verdict hook list`).
public struct HookDeliveryCount: Sendable, Equatable {
    public var provider: String
    public var topic: String?
    public var status: String
    public var count: Int
    public var last: Int64
}

extension EventStore {
    /// Stores a verified delivery's body before anything parses it. The same body from the
    /// same provider again (a redelivery) is not stored twice: `duplicate` is then true and
    /// `id` is the first one's.
    public func storeDelivery(provider: String, body: Data, sha256: String, at time: Int64) throws(StoreError) -> (id: Int64, duplicate: Bool) {
        do {
            return try exclusiveWrite { db in
                if let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM hook_deliveries WHERE provider = ? AND sha256 = ?", arguments: [provider, sha256])
                {
                    return (id, true)
                }
                try db.execute(
                    sql: "INSERT INTO hook_deliveries (provider, received_at, sha256, body) VALUES (?, ?, ?, ?)",
                    arguments: [provider, time, sha256, body])
                return (db.lastInsertedRowID, false)
            }
        } catch {
            throw wrap(error)
        }
    }

    /// Deliveries not read yet, oldest first.
    public func pendingDeliveries(limit: Int = 1000) throws(StoreError) -> [HookDeliveryRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hook_deliveries WHERE status = 'received' ORDER BY id LIMIT ?", arguments: [limit])
                .map(HookDeliveryRow.init)
        }
    }

    /// One delivery.
    public func delivery(_ id: Int64) throws(StoreError) -> HookDeliveryRow? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM hook_deliveries WHERE id = ?", arguments: [id]).map(HookDeliveryRow.init) }
    }

    /// Marks a delivery read without a batch of events (an unknown topic, nothing to store).
    public func markDelivery(_ id: Int64, status: String, topic: String?, reason: String? = nil) throws(StoreError) {
        do {
            try exclusiveWrite { db in
                try db.execute(
                    sql: "UPDATE hook_deliveries SET status = ?, topic = ?, reason = ? WHERE id = ? AND status = 'received'",
                    arguments: [status, topic, reason, id])
            }
        } catch {
            throw wrap(error)
        }
    }

    /// Deliveries by provider, topic and status, with the last one's time.
    public func deliveryCounts() throws(StoreError) -> [HookDeliveryCount] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT provider, topic, status, COUNT(*) AS n, MAX(received_at) AS last FROM hook_deliveries
                    GROUP BY provider, topic, status ORDER BY provider, topic, status
                    """
            ).map { HookDeliveryCount(provider: $0["provider"], topic: $0["topic"], status: $0["status"], count: $0["n"], last: $0["last"]) }
        }
    }
}
