import GRDB

/// Which events a query covers. Every filter is a bound parameter: no value can change the SQL.
public struct EventFilter: Sendable, Equatable {
    /// Only this change.
    public var changeID: String?
    /// Only this event name.
    public var event: String?
    /// Only this cohort.
    public var cohort: String?
    /// Only this flag variant.
    public var versionFlag: String?
    /// Only this status.
    public var status: String?
    /// From this local day (days since 1970-01-01), inclusive.
    public var fromDay: Int32?
    /// To this local day, inclusive.
    public var toDay: Int32?
    /// Only these cohorts (empty: any).
    public var cohorts: [String] = []
    /// Only events whose props have these values (names are identifiers).
    public var props: [String: String] = [:]
    /// Only these local days (empty: any); for arms made of days, as in a switchback.
    public var days: [Int32] = []
    /// Only events whose status starts with this (`error` matches `error:timeout`).
    public var statusPrefix: String?
    /// Only these event names (empty: any).
    public var events: [String] = []

    /// Creates a filter; nil means "any".
    public init(
        changeID: String? = nil, event: String? = nil, cohort: String? = nil, versionFlag: String? = nil,
        status: String? = nil, fromDay: Int32? = nil, toDay: Int32? = nil
    ) {
        self.changeID = changeID
        self.event = event
        self.cohort = cohort
        self.versionFlag = versionFlag
        self.status = status
        self.fromDay = fromDay
        self.toDay = toDay
    }

    func whereClause() -> (sql: String, arguments: StatementArguments) {
        let (conditions, arguments) = conditions()
        return (conditions.isEmpty ? "" : "WHERE " + conditions, arguments)
    }

    /// The stored change_ids, one index seek each: SQLite answers SELECT DISTINCT by reading the
    /// whole index (half a second for ten million events), this in a few milliseconds.
    static let storedChanges = """
        WITH RECURSIVE stored(change_id) AS (
            SELECT MIN(change_id) FROM events
            UNION ALL
            SELECT (SELECT MIN(change_id) FROM events WHERE change_id > stored.change_id) FROM stored
            WHERE stored.change_id IS NOT NULL)
        SELECT change_id FROM stored WHERE change_id IS NOT NULL
        """

    /// The filter's conditions joined by AND ("" when it has none).
    func conditions() -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        for (column, value) in [
            ("change_id", changeID), ("event", event), ("user_cohort", cohort), ("version_flag", versionFlag),
            ("status", status),
        ] {
            if let value {
                conditions.append("\(column) = ?")
                arguments.append(value)
            }
        }
        if changeID == nil && (fromDay != nil || toDay != nil || !days.isEmpty) {
            // Days of every change: one range of the per-change index per change.
            conditions.append("change_id IN (\(Self.storedChanges))")
        }
        if let fromDay {
            conditions.append("day >= ?")
            arguments.append(Int64(fromDay))
        }
        if let toDay {
            conditions.append("day <= ?")
            arguments.append(Int64(toDay))
        }
        if !cohorts.isEmpty {
            conditions.append("user_cohort IN (" + cohorts.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments.append(contentsOf: cohorts.map { $0 as (any DatabaseValueConvertible)? })
        }
        if !days.isEmpty {
            conditions.append("day IN (" + days.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments.append(contentsOf: days.map { Int64($0) as (any DatabaseValueConvertible)? })
        }
        if !events.isEmpty {
            conditions.append("event IN (" + events.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments.append(contentsOf: events.map { $0 as (any DatabaseValueConvertible)? })
        }
        if let statusPrefix {
            conditions.append("substr(status, 1, ?) = ?")
            arguments.append(statusPrefix.utf8.count)
            arguments.append(statusPrefix)
        }
        for (name, value) in props.sorted(by: { $0.key < $1.key }) {
            // The JSON path is a bound value too; names are checked to be identifiers.
            conditions.append("CAST(json_extract(props, ?) AS TEXT) = ?")
            arguments.append("$.\"\(name)\"")
            arguments.append(value)
        }
        return (conditions.joined(separator: " AND "), StatementArguments(arguments))
    }
}

/// What event counts can be grouped by.
public enum EventGrouping: String, Sendable, CaseIterable {
    case day, event, cohort, flag, status, change
    /// Where the change_id came from: `event` (the event named it), `timeline` (stamped) or `none`.
    case source

    var column: String {
        switch self {
        case .day: "day"
        case .event: "event"
        case .cohort: "user_cohort"
        case .flag: "version_flag"
        case .status: "status"
        case .change: "change_id"
        case .source:
            "(CASE attributed & 3 WHEN \(ChangeSource.event.rawValue) THEN 'event' WHEN \(ChangeSource.timeline.rawValue) THEN 'timeline' ELSE 'none' END)"
        }
    }
}

/// One value of a grouping column.
public enum GroupValue: Sendable, Hashable {
    /// A text column's value (nil when the events had none).
    case text(String?)
    /// A local day.
    case day(Int32)
}

/// The number of events in one group.
public struct EventCount: Sendable, Equatable {
    /// The group's values, one per grouping, in the order asked.
    public var keys: [GroupValue]
    /// How many events.
    public var count: Int

    /// Creates a count.
    public init(keys: [GroupValue], count: Int) {
        self.keys = keys
        self.count = count
    }
}

/// One stored event, as `verdict events` lists it.
public struct StoredEvent: Sendable, Equatable {
    /// The store's id.
    public var id: Int64
    /// The batch it came in.
    public var batchID: Int64
    /// The event.
    public var event: Event
}


extension EventStore {
    /// Event counts matching `filter`, grouped by `groups` (none: one total), ordered by the groups.
    public func countEvents(_ filter: EventFilter, groupedBy groups: [EventGrouping]) throws(StoreError) -> [EventCount] {
        let (whereSQL, arguments) = filter.whereClause()
        let columns = groups.map(\.column)
        let select = (columns + ["COUNT(*)"]).joined(separator: ", ")
        let group = columns.isEmpty ? "" : "GROUP BY " + columns.joined(separator: ", ") + " ORDER BY " + columns.joined(separator: ", ")
        let sql = "SELECT \(select) FROM events \(whereSQL) \(group)"
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let keys: [GroupValue] = groups.enumerated().map { index, grouping in
                    grouping == .day ? .day(Int32(row[index] as Int64)) : .text(row[index])
                }
                return EventCount(keys: keys, count: row[groups.count])
            }
        }
    }

    /// The events matching `filter`, oldest first, at most `limit`.
    public func events(_ filter: EventFilter, limit: Int) throws(StoreError) -> [StoredEvent] {
        let (whereSQL, arguments) = filter.whereClause()
        var allArguments = arguments
        allArguments += [limit]
        let sql = """
            SELECT id, batch_id, event, ts, day, change_id, attributed, version_flag, user_cohort, user_id, status,
                   latency_ms, value, event_id, props, hash
            FROM events \(whereSQL) ORDER BY ts, id LIMIT ?
            """
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: allArguments).map { row in
                var event = Event(
                    event: row["event"], timestamp: row["ts"], day: Int32(row["day"] as Int64), changeID: row["change_id"],
                    attributed: false, changeSource: ChangeSource(attributed: row["attributed"]),
                    versionFlag: row["version_flag"], userCohort: row["user_cohort"],
                    userID: row["user_id"], status: row["status"], latencyMs: row["latency_ms"], value: row["value"],
                    eventID: row["event_id"], props: row["props"], hash: row["hash"])
                event.flagFromList = (row["attributed"] as Int64) & ChangeSource.flagFromListBit != 0
                return StoredEvent(id: row["id"], batchID: row["batch_id"], event: event)
            }
        }
    }

    /// The number of stored events.
    public func eventCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }
}

/// A numeric column a query can aggregate.
public enum MeasureColumn: String, Sendable, Hashable {
    case value
    case latencyMs = "latency_ms"
}

extension EventStore {
    /// How many events match.
    public func count(_ filter: EventFilter) throws(StoreError) -> Int {
        try aggregate("COUNT(*)", filter) ?? 0
    }

    /// The earliest timestamp (epoch ms) of the matching events at or after `notBefore`; nil
    /// when there is none.
    public func earliest(_ filter: EventFilter, notBefore: Int64) throws(StoreError) -> Int64? {
        let (whereSQL, arguments) = filter.whereClause()
        let sql = "SELECT MIN(ts) FROM events " + (whereSQL.isEmpty ? "WHERE " : whereSQL + " AND ") + "ts >= ?"
        var all = arguments
        _ = all.append(contentsOf: [notBefore])
        return try read { db in try Int64.fetchOne(db, sql: sql, arguments: all) }
    }

    /// Per customer (events with a user_id), the total `value` of the events named `events`,
    /// zero for a customer without one: how many customers, and the sum and sum of squares of
    /// their totals (what a revenue per customer and its spread come from).
    public func valuePerCustomer(_ filter: EventFilter, events: [String]) throws(StoreError) -> Moments {
        var scoped = filter
        scoped.event = nil
        let (whereSQL, arguments) = scoped.whereClause()
        let marks = events.map { _ in "?" }.joined(separator: ", ")
        let sql = """
            SELECT COUNT(*), TOTAL(s), TOTAL(s * s) FROM (
                SELECT user_id, TOTAL(CASE WHEN event IN (\(marks.isEmpty ? "NULL" : marks)) THEN value END) AS s FROM events
                \((whereSQL.isEmpty ? "WHERE " : whereSQL + " AND ") + "user_id IS NOT NULL") GROUP BY user_id)
            """
        var all: StatementArguments = StatementArguments(events)
        _ = all.append(contentsOf: arguments)
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: sql, arguments: all) else { return Moments() }
            return Moments(n: row[0], sum: row[1], sumOfSquares: row[2])
        }
    }

    /// The sum of a column over the matching events (0 when none has it).
    public func sum(_ column: MeasureColumn, _ filter: EventFilter) throws(StoreError) -> Double {
        try aggregate("TOTAL(\(column.rawValue))", filter) ?? 0
    }

    /// The mean of a column over the matching events that have it; nil when none has.
    public func mean(_ column: MeasureColumn, _ filter: EventFilter) throws(StoreError) -> Double? {
        try aggregate("AVG(\(column.rawValue))", filter)
    }

    /// How many distinct user_ids the matching events carry.
    public func distinctUsers(_ filter: EventFilter) throws(StoreError) -> Int {
        try aggregate("COUNT(DISTINCT user_id)", filter) ?? 0
    }

    /// The column's values over the matching events, in ascending order, at most `limit`.
    public func values(_ column: MeasureColumn, _ filter: EventFilter, limit: Int) throws(StoreError) -> [Double] {
        let (whereSQL, arguments) = filter.whereClause()
        var all = arguments
        all += [limit]
        let condition = whereSQL.isEmpty ? "WHERE \(column.rawValue) IS NOT NULL" : whereSQL + " AND \(column.rawValue) IS NOT NULL"
        let sql = "SELECT \(column.rawValue) FROM events \(condition) ORDER BY \(column.rawValue) LIMIT ?"
        return try read { db in try Double.fetchAll(db, sql: sql, arguments: all) }
    }

    private func aggregate<T: DatabaseValueConvertible>(_ expression: String, _ filter: EventFilter) throws(StoreError) -> T? {
        let (whereSQL, arguments) = filter.whereClause()
        let sql = "SELECT \(expression) FROM events \(whereSQL)"
        return try read { db in try T.fetchOne(db, sql: sql, arguments: arguments) }
    }
}

extension EventStore {
    /// Count, sum and sum of squares of a column over the matching events that have it.
    public func moments(_ column: MeasureColumn, _ filter: EventFilter) throws(StoreError) -> Moments {
        let (whereSQL, arguments) = filter.whereClause()
        let c = column.rawValue
        let sql = "SELECT COUNT(\(c)), TOTAL(\(c)), TOTAL(\(c) * \(c)) FROM events \(whereSQL)"
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: sql, arguments: arguments) else { return Moments() }
            return Moments(n: row[0], sum: row[1], sumOfSquares: row[2])
        }
    }

    /// Per-customer conversion: of the users with a `from` event, how many also have a `to`
    /// event (among the matching events). Events without user_id are not counted. With `period`,
    /// a customer counts once per period, as in `customerFacts`.
    public func convertedUsers(
        from: String, to: String, _ filter: EventFilter, period: (start: Int32, length: Int32)? = nil, exposedThrough: Int32? = nil
    ) throws(StoreError) -> (trials: Int, successes: Int) {
        var scoped = filter
        scoped.event = nil
        let (whereSQL, arguments) = scoped.whereClause()
        let condition = (whereSQL.isEmpty ? "WHERE " : whereSQL + " AND ") + "event IN (?, ?) AND user_id IS NOT NULL"
        // With an outcome lag the filter runs past the window, and only customers whose `from`
        // event is on or before `exposedThrough` (the window's last day) count.
        let started = exposedThrough == nil ? "MAX(event = ?)" : "MAX(event = ? AND day <= \(exposedThrough!))"
        let sql = """
            SELECT COUNT(*), COALESCE(SUM(converted), 0) FROM (
                SELECT user_id, MAX(event = ?) AS converted, \(started) AS started FROM events \(condition)
                GROUP BY user_id\(period == nil ? "" : ", (day - ? + ? * 1000000) / ?")) WHERE started = 1
            """
        // Placeholders in the order they appear: converted (to), started (from), the filter's, IN (from, to), the period.
        var ordered: StatementArguments = [to, from]
        ordered += arguments
        ordered += [from, to]
        if let period { ordered += [Int64(period.start), Int64(period.length), Int64(period.length)] }
        return try read { db in
            let row = try Row.fetchOne(db, sql: sql, arguments: ordered)
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }
}
