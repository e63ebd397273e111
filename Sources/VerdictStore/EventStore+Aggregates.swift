import CVerdictHash
import Foundation
import GRDB
import GRDBSQLite

/// Count, sum and sum of squares of a measure over a group of events.
public struct Moments: Sendable, Equatable {
    /// Events that have the measure.
    public var n: Int
    public var sum: Double
    public var sumOfSquares: Double

    public init(n: Int = 0, sum: Double = 0, sumOfSquares: Double = 0) {
        self.n = n
        self.sum = sum
        self.sumOfSquares = sumOfSquares
    }

    public static func += (a: inout Moments, b: Moments) {
        a.n += b.n
        a.sum += b.sum
        a.sumOfSquares += b.sumOfSquares
    }

    /// The mean and the sample variance (0 and 0 when empty).
    public var meanAndVariance: (mean: Double, variance: Double) {
        guard n > 0 else { return (0, 0) }
        let mean = sum / Double(n)
        guard n > 1 else { return (mean, 0) }
        return (mean, max(0, (sumOfSquares - mean * sum) / Double(n - 1)))
    }
}

/// The events of one arm that share a day, event, flag, cohort and status.
public struct EventTally: Sendable, Equatable {
    /// Which of the arms given to `tallies` (its index).
    public var arm: Int
    public var day: Int32
    public var event: String
    public var versionFlag: String?
    public var cohort: String?
    public var status: String?
    /// How many events.
    public var count: Int
    /// Their `value`s (when asked for).
    public var value: Moments
    /// Their `latency_ms` (when asked for).
    public var latency: Moments

    public init(
        arm: Int, day: Int32, event: String, versionFlag: String?, cohort: String?, status: String?, count: Int,
        value: Moments = Moments(), latency: Moments = Moments()
    ) {
        self.arm = arm
        self.day = day
        self.event = event
        self.versionFlag = versionFlag
        self.cohort = cohort
        self.status = status
        self.count = count
        self.value = value
        self.latency = latency
    }
}

/// Events a per-customer figure looks for, such as the `from` event of a conversion.
public struct EventCondition: Sendable, Equatable, Hashable {
    public var event: String
    public var status: String?
    public var cohort: String?
    public var versionFlag: String?

    public init(event: String, status: String? = nil, cohort: String? = nil, versionFlag: String? = nil) {
        self.event = event
        self.status = status
        self.cohort = cohort
        self.versionFlag = versionFlag
    }
}

extension EventStore {
    /// Per-arm aggregates, one row per (arm, day, event, flag, cohort, status), over the events
    /// `scan` matches; each event belongs to the first of `arms` that matches it (none: skipped).
    ///
    /// The arms may differ from `scan` only in version_flag and days, so that all events of one
    /// group belong to one arm; SQLite then groups in the per-change index's own order, without
    /// sorting. The moments of `measures` come too (each costs a little per event).
    public func tallies(_ scan: EventFilter, arms: [EventFilter], measures: Set<MeasureColumn> = []) throws(StoreError)
        -> [EventTally]
    {
        let (whereSQL, arguments) = scan.whereClause()
        let (label, labelArguments) = Self.armLabel(arms)
        let moments = [MeasureColumn.value, .latencyMs].map { column in
            let c = column.rawValue
            return measures.contains(column) ? "COUNT(\(c)), TOTAL(\(c)), TOTAL(\(c) * \(c))" : "0, 0, 0"
        }
        let sql = """
            SELECT MIN(\(label)), day, event, version_flag, user_cohort, status, COUNT(*), \(moments.joined(separator: ", "))
            FROM events \(whereSQL)
            GROUP BY day, event, version_flag, user_cohort, status
            """
        var all = labelArguments
        all += arguments
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: all).compactMap { row -> EventTally? in
                guard let arm = row[0] as Int? else { return nil }
                return EventTally(
                    arm: arm, day: Int32(row[1] as Int64), event: row[2], versionFlag: row[3], cohort: row[4], status: row[5],
                    count: row[6], value: Moments(n: row[7], sum: row[8], sumOfSquares: row[9]),
                    latency: Moments(n: row[10], sum: row[11], sumOfSquares: row[12]))
            }
        }
    }

    /// Per local day of `days`: how many events named `event` every change has together, and
    /// their values' moments. One seek per change and day in the per-change index (reading
    /// only that name's entries), without a sort: a business's week of bookings in milliseconds.
    public func dailyTotals(event: String, days: ClosedRange<Int32>) throws(StoreError) -> [(day: Int32, count: Int, value: Moments)] {
        let list = days.map { _ in "?" }.joined(separator: ", ")
        let sql = """
            SELECT day, COUNT(*), COUNT(value), TOTAL(value), TOTAL(value * value) FROM events
            WHERE change_id IN (\(EventFilter.storedChanges)) AND day IN (\(list)) AND event = ? GROUP BY day
            """
        var arguments = StatementArguments(days.map { Int64($0) })
        arguments += [event]
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                (Int32(row[0] as Int64), row[1], Moments(n: row[2], sum: row[3], sumOfSquares: row[4]))
            }
        }
    }

    /// Per arm, one bitmask per distinct customer (user_id) among the events `scan` matches:
    /// bit k is set when the customer has an event matching `conditions[k]` (at most 64).
    ///
    /// The number of masks is the arm's number of distinct customers. SQLite can only count
    /// distinct values by sorting them; one pass over the index into a hash table is several
    /// times faster, and it answers every condition at once.
    ///
    /// With `period`, a customer counts once per period (`length` days from `start`, and every
    /// `length` days before and after): a before/after baseline of two weeks holds two periods
    /// like the window, and a customer seen in both is two customer-periods.
    public func customerFacts(
        _ scan: EventFilter, arms: [EventFilter], conditions: [EventCondition], period: (start: Int32, length: Int32)? = nil
    ) throws(StoreError) -> [[UInt64]] {
        try customerFactsByPeriod(scan, arms: arms, conditions: conditions, period: period).periods.map { periods in
            periods.values.reduce([]) { $0 + $1 }
        }
    }

    /// `customerFacts` kept apart by period: per arm, each period's number (0 for the one
    /// starting at `period.start`, negative before it) with its customers' masks. With a period
    /// of one day, one read gives every day's customers, as a report of each day alone would.
    /// With `whole`, the same read also gives each arm's customers over all periods together (a
    /// customer once, with every event's bits), as `customerFacts` without a period would.
    public func customerFactsByPeriod(
        _ scan: EventFilter, arms: [EventFilter], conditions: [EventCondition], period: (start: Int32, length: Int32)? = nil,
        whole: Bool = false
    ) throws(StoreError) -> (periods: [[Int64: [UInt64]]], whole: [[UInt64]]?) {
        precondition(conditions.count <= 64, "at most 64 conditions")
        let (whereSQL, arguments) = scan.whereClause()
        let (label, labelArguments) = Self.armLabel(arms)
        var bitArguments: StatementArguments = []
        // One CASE on the event name, then each condition's other columns: most events match no
        // condition, and SQLite compares the name once.
        var mask = "CASE event"
        var maskArguments: StatementArguments = []
        var events: [String] = []
        for condition in conditions where !events.contains(condition.event) { events.append(condition.event) }
        for event in events {
            var constant: UInt64 = 0
            var terms: [String] = []
            for (k, condition) in conditions.enumerated() where condition.event == event {
                var tests: [String] = []
                for (column, value) in [
                    ("status", condition.status), ("user_cohort", condition.cohort), ("version_flag", condition.versionFlag),
                ] {
                    if let value {
                        tests.append("\(column) = ?")
                        maskArguments += [value]
                    }
                }
                if tests.isEmpty { constant |= 1 << UInt64(k) } else { terms.append("((" + tests.joined(separator: " AND ") + ") << \(k))") }
            }
            // The event's own argument comes before its terms' in the SQL text.
            var ordered: StatementArguments = [event]
            ordered += maskArguments
            maskArguments = []
            mask += " WHEN ? THEN " + ([String(Int64(bitPattern: constant))] + terms).joined(separator: " | ")
            bitArguments += ordered
        }
        mask = events.isEmpty ? "0" : mask + " ELSE 0 END"
        let condition = (whereSQL.isEmpty ? "WHERE " : whereSQL + " AND ") + "user_id IS NOT NULL"
        var block = "0"
        var blockArguments: StatementArguments = []
        if let period {
            // Floor division of (day - start) by the length, kept positive for SQLite's "/".
            block = "(day - ? + ? * 1000000) / ?"
            blockArguments = [Int64(period.start), Int64(period.length), Int64(period.length)]
        }
        let sql = "SELECT \(label), user_id, \(mask), \(block) FROM events \(condition)"
        var all = labelArguments
        all += bitArguments
        all += blockArguments
        all += arguments
        return try read { db in
            let statement = try db.makeStatement(sql: sql)
            try statement.setArguments(all)
            let s = statement.sqliteStatement
            var customers = [CustomerMasks](repeating: CustomerMasks(), count: arms.count)
            var everyone = [CustomerMasks](repeating: CustomerMasks(), count: whole ? arms.count : 0)
            var earlier = [[Int64: CustomerMasks]](repeating: [:], count: arms.count)  // other periods
            var current = [Int64](repeating: 0, count: arms.count)
            while true {
                let code = sqlite3_step(s)
                if code == SQLITE_DONE { break }
                guard code == SQLITE_ROW else {
                    throw StoreError.sqlite(message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
                }
                guard sqlite3_column_type(s, 0) != SQLITE_NULL, let text = sqlite3_column_text(s, 1) else { continue }
                let arm = Int(sqlite3_column_int64(s, 0))
                let user = UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(s, 1)))
                let period = sqlite3_column_int64(s, 3)
                if period != current[arm] {
                    // Rows of one period mostly come together (the indexes order by day).
                    earlier[arm][current[arm]] = customers[arm]
                    customers[arm] = earlier[arm].removeValue(forKey: period) ?? CustomerMasks()
                    current[arm] = period
                }
                let mask = UInt64(bitPattern: sqlite3_column_int64(s, 2))
                customers[arm].insert(user, mask: mask)
                if whole { everyone[arm].insert(user, mask: mask) }
            }
            sqlite3_reset(s)
            let periods = customers.indices.map { arm in
                var periods = earlier[arm].mapValues(\.allMasks).filter { !$0.value.isEmpty }
                if customers[arm].count > 0 { periods[current[arm]] = customers[arm].allMasks }
                // The SQL offsets periods by a million to keep them positive.
                return period == nil ? periods : periods.mapKeys { $0 - 1_000_000 }
            }
            return (periods, whole ? everyone.map(\.allMasks) : nil)
        }
    }

    /// `CASE WHEN <arm 0> THEN 0 WHEN <arm 1> THEN 1 ... END`: which arm an event belongs to.
    static func armLabel(_ arms: [EventFilter]) -> (sql: String, arguments: StatementArguments) {
        var arguments: StatementArguments = []
        // Arms told apart by their flag alone (A/B): one CASE on the column.
        if arms.allSatisfy({ $0.versionFlag != nil && $0 == EventFilter(versionFlag: $0.versionFlag) }) {
            for arm in arms { arguments += [arm.versionFlag] }
            return ("CASE version_flag" + arms.indices.map { " WHEN ? THEN \($0)" }.joined() + " END", arguments)
        }
        var sql = "CASE"
        for (index, arm) in arms.enumerated() {
            let (condition, armArguments) = arm.conditions()
            sql += " WHEN \(condition.isEmpty ? "1" : condition) THEN \(index)"
            arguments += armArguments
        }
        return (sql + " END", arguments)
    }
}

extension Dictionary {
    fileprivate func mapKeys(_ transform: (Key) -> Key) -> [Key: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

/// Distinct customers (user_id bytes) of one arm, each with its bitmask: an open-addressing hash
/// table over one byte arena. Swift's Dictionary would build a String and run SipHash for every
/// event; this hashes the bytes SQLite hands over in place.
struct CustomerMasks {
    private var arena: [UInt8] = []
    /// Per slot: the key's offset in the arena + 1 (0: empty), its length, its mask.
    private var offsets: [Int] = []
    private var lengths: [Int32] = []
    private var masks: [UInt64] = []
    private(set) var count = 0

    init() {
        resize(to: 1024)
    }

    /// ORs `mask` into the customer's mask, adding the customer when new.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, mask: UInt64) {
        if (count + 1) * 4 > offsets.count * 3 { resize(to: offsets.count * 2) }
        let hash = vh_fnv1a(key.baseAddress, key.count)
        let slotMask = offsets.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & slotMask
        while offsets[slot] != 0 {
            if Int(lengths[slot]) == key.count && arena.withUnsafeBufferPointer({ stored in
                key.isEmpty || memcmp(stored.baseAddress! + offsets[slot] - 1, key.baseAddress!, key.count) == 0
            }) {
                masks[slot] |= mask
                return
            }
            slot = (slot + 1) & slotMask
        }
        offsets[slot] = arena.count + 1
        lengths[slot] = Int32(key.count)
        masks[slot] = mask
        arena.append(contentsOf: key)
        count += 1
    }

    /// Every customer's mask.
    var allMasks: [UInt64] {
        zip(offsets, masks).compactMap { $0.0 == 0 ? nil : $0.1 }
    }

    private mutating func resize(to capacity: Int) {
        let old = (offsets, lengths, masks)
        offsets = Array(repeating: 0, count: capacity)
        lengths = Array(repeating: 0, count: capacity)
        masks = Array(repeating: 0, count: capacity)
        let keys = arena
        arena = []
        arena.reserveCapacity(keys.count * 2)
        count = 0
        keys.withUnsafeBufferPointer { bytes in
            for slot in old.0.indices where old.0[slot] != 0 {
                insert(UnsafeBufferPointer(rebasing: bytes[(old.0[slot] - 1)..<(old.0[slot] - 1 + Int(old.1[slot]))]), mask: old.2[slot])
            }
        }
    }
}
