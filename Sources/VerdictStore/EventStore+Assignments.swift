import GRDB

/// A customer list handed out for a change that people carry out (`verdict assign`, `verdict
/// today`): when, by whom, from which file, its digest and how many customers each arm has.
public struct AssignmentListRow: Sendable, Equatable {
    public var id: Int64
    public var changeID: String
    /// The local day it was made for (days since 1970-01-01).
    public var day: Int32
    /// Epoch milliseconds.
    public var at: Int64
    public var actor: String
    public var source: String
    /// SHA-256 of the list as handed out.
    public var digest: String
    public var control: Int
    public var treatment: Int

    public init(
        id: Int64 = 0, changeID: String, day: Int32, at: Int64, actor: String, source: String, digest: String, control: Int, treatment: Int
    ) {
        self.id = id
        self.changeID = changeID
        self.day = day
        self.at = at
        self.actor = actor
        self.source = source
        self.digest = digest
        self.control = control
        self.treatment = treatment
    }

    init(_ row: Row) {
        self.init(
            id: row["id"], changeID: row["change_id"], day: Int32(row["day"] as Int64), at: row["at"], actor: row["actor"],
            source: row["source"], digest: row["digest"], control: row["control"], treatment: row["treatment"])
    }
}

/// One customer on a list, with the variant the list gave them.
public struct AssignedCustomer: Sendable, Equatable {
    public var changeID: String
    public var userID: String
    /// The list's local day.
    public var day: Int32
    public var variant: String

    public init(changeID: String, userID: String, day: Int32, variant: String) {
        self.changeID = changeID
        self.userID = userID
        self.day = day
        self.variant = variant
    }
}

/// Where a change was live, for attributing the events of listed customers that named no change:
/// from its start (epoch ms) through its window's last local day, unless its flag went off first.
public struct LiveSpan: Sendable, Equatable {
    public var from: Int64
    public var lastDay: Int32
    public var until: Int64?

    public init(from: Int64, lastDay: Int32, until: Int64?) {
        self.from = from
        self.lastDay = lastDay
        self.until = until
    }
}

extension EventStore {
    /// The variant a listed customer's event gets (docs/lifecycle.md): from the latest list made
    /// on or before the event's day, else from the earliest list after it (of one day's lists,
    /// the last). `AssignmentBook.variant` in Core is the same rule for ingest.
    static let listedVariant = """
        COALESCE(
            (SELECT a.variant FROM assignments a WHERE a.change_id = events.change_id AND a.user_id = events.user_id
             AND a.day <= events.day ORDER BY a.day DESC, a.list_id DESC LIMIT 1),
            (SELECT a.variant FROM assignments a WHERE a.change_id = events.change_id AND a.user_id = events.user_id
             AND a.day > events.day ORDER BY a.day, a.list_id DESC LIMIT 1))
        """

    /// Records a customer list in one transaction: the list, each customer's variant, and its
    /// audit record (a list is for a started change, whatever its state). Then the events
    /// already stored for its customers are attributed by the lists, as ingest attributes later
    /// ones: an event that named no change and falls in `span` gets the change, and an event of
    /// the change without a flag gets the variant of the nearest list (`listedVariant`). Returns
    /// the list's id and how many events got a flag.
    public func recordAssignmentList(
        _ list: AssignmentListRow, customers: [(userID: String, variant: String)], span: LiveSpan,
        audit: (_ stamped: Int) -> AuditRecordMaker
    ) throws -> (id: Int64, stamped: Int) {
        do {
            return try exclusiveWrite { db in
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM experiments WHERE change_id = ?", arguments: [list.changeID]) != nil else {
                    throw StoreError.notFound("\(list.changeID) has not been started")
                }
                try db.execute(
                    sql: """
                        INSERT INTO assignment_lists (change_id, day, at, actor, source, digest, control, treatment)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [list.changeID, list.day, list.at, list.actor, list.source, list.digest, list.control, list.treatment])
                let id = db.lastInsertedRowID
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO assignments (list_id, change_id, user_id, variant, day) VALUES (?, ?, ?, ?, ?)")
                var seen: Set<String> = []
                for customer in customers where seen.insert(customer.userID).inserted {
                    try insert.execute(arguments: [id, list.changeID, customer.userID, customer.variant, list.day])
                }
                let listed = "user_id IN (SELECT user_id FROM assignments WHERE list_id = \(id))"
                try db.execute(
                    sql: """
                        UPDATE events SET change_id = ?, attributed = \(ChangeSource.timeline.rawValue)
                        WHERE change_id = 'none' AND attributed = \(ChangeSource.none.rawValue) AND \(listed)
                          AND ts >= ? AND day <= ? AND (? IS NULL OR ts < ?)
                        """,
                    arguments: [list.changeID, span.from, span.lastDay, span.until, span.until])
                try db.execute(
                    sql: """
                        UPDATE events SET version_flag = \(Self.listedVariant),
                            attributed = attributed | \(ChangeSource.flagFromListBit)
                        WHERE change_id = ? AND version_flag IS NULL AND \(listed)
                        """,
                    arguments: [list.changeID])
                let stamped = db.changesCount
                _ = try Self.appendAudit(db, audit(stamped))
                return (id, stamped)
            }
        } catch {
            throw wrap(error)
        }
    }

    /// The lists handed out, oldest first; only `changeID`'s when given.
    public func assignmentLists(changeID: String? = nil) throws(StoreError) -> [AssignmentListRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM assignment_lists WHERE ? IS NULL OR change_id = ? ORDER BY id", arguments: [changeID, changeID]
            ).map(AssignmentListRow.init)
        }
    }

    /// Every listed customer, for ingest's attribution.
    static func assignedCustomers(_ db: Database) throws -> [AssignedCustomer] {
        try Row.fetchAll(db, sql: "SELECT change_id, user_id, day, variant FROM assignments ORDER BY list_id")
            .map { AssignedCustomer(changeID: $0[0], userID: $0[1], day: Int32($0[2] as Int64), variant: $0[3]) }
    }
}

extension EventStore {
    /// Per change: how many lists were handed out, and its distinct listed customers by the
    /// variant their latest list gave them.
    public func assignmentCounts() throws(StoreError) -> [String: (lists: Int, customers: [String: Int])] {
        try read { db in
            var counts: [String: (lists: Int, customers: [String: Int])] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT change_id, COUNT(*) FROM assignment_lists GROUP BY change_id") {
                counts[row[0], default: (0, [:])].lists = row[1]
            }
            let latest = """
                SELECT a.change_id, a.variant, COUNT(*) FROM assignments a
                WHERE a.list_id = (SELECT MAX(b.list_id) FROM assignments b WHERE b.change_id = a.change_id AND b.user_id = a.user_id)
                GROUP BY a.change_id, a.variant
                """
            for row in try Row.fetchAll(db, sql: latest) {
                counts[row[0], default: (0, [:])].customers[row[1]] = row[2]
            }
            return counts
        }
    }
}
