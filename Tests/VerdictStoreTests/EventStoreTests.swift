import Foundation
import GRDB
import Testing
@testable import VerdictStore
import VerdictTestSupport

/// The upgrade notices a store gave, as "from→to".
final class Upgrades: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    var seen: [String] { lock.withLock { items } }
    var record: @Sendable (Int, Int) -> Void {
        { [self] from, to in lock.withLock { items.append("\(from)→\(to)") } }
    }
}

@Suite struct EventStoreTests {
    func event(_ name: String, day: Int32, change: String = "CHG-0007", flag: String? = "on", id: String? = nil) -> Event {
        Event(
            event: name, timestamp: Int64(day) * 86_400_000, day: day, changeID: change, attributed: true,
            versionFlag: flag, eventID: id, hash: "000000000000")
    }

    @Test func migratesToTheLatestVersionOnce() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent(".verdict/verdict.sqlite").path
        let upgrades = Upgrades()
        #expect(try EventStore(path: path, upgrading: upgrades.record).schemaVersion() == Schema.migrations.count)
        #expect(try EventStore(path: path, upgrading: upgrades.record).schemaVersion() == Schema.migrations.count)
        #expect(upgrades.seen.isEmpty)  // a new store is created silently, and opening again migrates nothing
    }

    @Test func aVersionOneStoreKeepsItsEventsAndGetsTheReportIndex() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("s.sqlite").path
        let old = try DatabaseQueue(path: path)
        try old.write { db in
            try db.execute(sql: Schema.migrations[0])
            try db.execute(sql: "PRAGMA user_version = 1")
            try db.execute(sql: "INSERT INTO batches (source, format, ingested_at) VALUES ('a.jsonl', 'jsonl', 0)")
            try db.execute(
                sql: """
                    INSERT INTO events (batch_id, event, ts, day, change_id, attributed, version_flag, user_id, status, hash)
                    VALUES (1, 'quote_viewed', 0, 20000, 'CHG-0007', 1, 'on', 'u1', 'success', '000000000000'),
                           (1, 'appointment_booked', 0, 20000, 'CHG-0007', 1, 'on', 'u1', 'success', '000000000000')
                    """)
        }
        try old.close()
        let upgrades = Upgrades()
        let store = try EventStore(path: path, upgrading: upgrades.record)
        #expect(upgrades.seen == ["1→\(Schema.migrations.count)"])
        #expect(try store.schemaVersion() == Schema.migrations.count)
        #expect(try store.eventCount() == 2)
        let plan = try store.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM events WHERE change_id = 'CHG-0007' AND day = 20000 AND user_id = 'u1'"
            ).map { $0["detail"] as String }.joined()
        }
        #expect(plan.contains("COVERING INDEX events_by_change"))
        let indexes = try store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")
        }
        #expect(indexes == ["events_by_change", "events_by_event_id"])
    }

    @Test func daysOfEveryChangeAreReadThroughThePerChangeIndex() throws {
        let folder = try TemporaryFolder()
        let store = try EventStore(path: folder.url.appendingPathComponent("s.sqlite").path)
        var filter = EventFilter(event: "quote_viewed", fromDay: 20000, toDay: 20006)
        filter.events = ["quote_viewed", "appointment_booked"]
        let (condition, arguments) = filter.whereClause()
        let plan = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT COUNT(*), TOTAL(value) FROM events \(condition)",
                arguments: arguments
            ).map { $0["detail"] as String }.joined(separator: "; ")
        }
        #expect(plan.contains("SEARCH events USING COVERING INDEX events_by_change (change_id=? AND day>? AND day<?)"), "\(plan)")
        #expect(!plan.contains("SCAN events"), "\(plan)")  // the stored changes are found by seeks, not a scan

        // Every change is counted: the first, the last, and `none` (unattributed).
        _ = try store.ingest(source: "a", format: "jsonl", at: 0) { writer in
            for change in ["CHG-0001", "CHG-0007", "none", "CHG-0002", "CHG-0007"] {
                try writer.store(event("quote_viewed", day: 20003, change: change))
                try writer.store(event("quote_viewed", day: 20009, change: change))  // after the days asked
            }
            try writer.store(event("appointment_booked", day: 20000, change: "zzz"))
            return "sha"
        }
        #expect(try store.count(filter) == 5)
        var booked = EventFilter(fromDay: 20000, toDay: 20000)
        booked.events = ["appointment_booked"]
        #expect(try store.count(booked) == 1)
        #expect(try store.count(EventFilter(fromDay: 19000, toDay: 19999)) == 0)
    }

    @Test func refusesAStoreFromANewerVerdict() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("s.sqlite").path
        _ = try EventStore(path: path)
        let raw = try DatabaseQueue(path: path)
        try raw.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 99") }
        try raw.close()
        let error = try #require(throws: StoreError.self) { try EventStore(path: path) }
        #expect(error.description.contains("schema version 99"))
    }

    /// A new store starts as an empty file in rollback mode, and switching it to WAL turns a read
    /// lock into a write lock, which SQLite refuses at once, without its busy handler, while
    /// another connection is writing: two processes creating the store together. Opening waits.
    @Test func creatingTheStoreWaitsForAnotherWriter() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("s.sqlite").path
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction outlives the access below
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let released = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            Thread.sleep(forTimeInterval: 0.3)
            try? other.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            released.signal()
        }
        let store = try EventStore(path: path)
        released.wait()
        #expect(try store.schemaVersion() == Schema.migrations.count)
    }

    /// Opening reads the schema version without a write transaction, so a report started during a
    /// long ingest does not wait for the ingest to commit.
    @Test func openingDoesNotWaitForAnotherWriter() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("s.sqlite").path
        let writer = try EventStore(path: path)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        final class Flag: @unchecked Sendable { var releasedByTimeout = false }
        let flag = Flag()
        DispatchQueue.global().async {
            try? writer.pool.write { _ in
                started.signal()
                flag.releasedByTimeout = release.wait(timeout: .now() + 20) == .timedOut
            }
            finished.signal()
        }
        started.wait()
        let reader = try EventStore(path: path)
        #expect(try reader.eventCount() == 0)
        release.signal()
        finished.wait()
        #expect(!flag.releasedByTimeout)
    }

    @Test func aBatchIsAllOrNothing() throws {
        let folder = try TemporaryFolder()
        let store = try EventStore(path: folder.url.appendingPathComponent("s.sqlite").path)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.ingest(source: "a", format: "jsonl", at: 0) { writer in
                try writer.store(event("a", day: 1))
                try writer.store(event("b", day: 1))
                throw Boom()
            }
        }
        #expect(try store.eventCount() == 0)
        #expect(try store.batches().isEmpty)
    }

    @Test func countsAreGroupedAndFiltered() throws {
        let folder = try TemporaryFolder()
        let store = try EventStore(path: folder.url.appendingPathComponent("s.sqlite").path)
        _ = try store.ingest(source: "a", format: "jsonl", at: 0) { writer in
            for day: Int32 in [20_400, 20_400, 20_401] { try writer.store(event("booked", day: day)) }
            try writer.store(event("booked", day: 20_401, flag: "off"))
            try writer.store(event("viewed", day: 20_401, change: "CHG-0008", flag: nil))
            return "sha-a"
        }
        #expect(try store.countEvents(EventFilter(), groupedBy: []) == [EventCount(keys: [], count: 5)])
        #expect(
            try store.countEvents(EventFilter(changeID: "CHG-0007"), groupedBy: [.day, .flag]) == [
                EventCount(keys: [.day(20_400), .text("on")], count: 2),
                EventCount(keys: [.day(20_401), .text("off")], count: 1),
                EventCount(keys: [.day(20_401), .text("on")], count: 1),
            ])
        #expect(try store.countEvents(EventFilter(fromDay: 20_401, toDay: 20_401), groupedBy: [.flag]).map(\.count) == [1, 1, 1])
        // Filter values are bound parameters: SQL in a value is just a value.
        #expect(try store.countEvents(EventFilter(changeID: "x' OR '1'='1"), groupedBy: []).first?.count == 0)
    }

    /// tallies and customerFacts against the same figures counted directly, on events with
    /// arms by flag and by day, statuses, cohorts, and customers of every id length (the
    /// customer table grows several times).
    @Test func windowAggregatesMatchDirectCounts() throws {
        let folder = try TemporaryFolder()
        let store = try EventStore(path: folder.url.appendingPathComponent("s.sqlite").path)
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var events: [Event] = []
        for _ in 0..<6000 {
            let user = next(10) == 0 ? nil : String(repeating: "c", count: next(40)) + "\(next(2500))"
            events.append(
                Event(
                    event: ["viewed", "booked", "clicked"][next(3)], timestamp: 0, day: Int32(20_400 + next(6)),
                    changeID: next(5) == 0 ? "CHG-0008" : "CHG-0007", attributed: true,
                    versionFlag: ["on", "off", nil][next(3)], userCohort: ["new", "returning"][next(2)], userID: user,
                    status: ["success", "error:timeout", "error"][next(3)], latencyMs: next(4) == 0 ? nil : Double(next(900)),
                    value: Double(next(100)), hash: "000000000000"))
        }
        _ = try store.ingest(source: "a", format: "jsonl", at: 0) { writer in
            for event in events { try writer.store(event) }
            return "sha"
        }
        var scan = EventFilter(changeID: "CHG-0007", fromDay: 20_401, toDay: 20_404)
        scan.cohorts = ["new", "returning"]
        let inScan = events.filter { $0.changeID == "CHG-0007" && (20_401...20_404).contains($0.day) }
        let conditions = [
            EventCondition(event: "viewed"), EventCondition(event: "booked", status: "success"),
            EventCondition(event: "clicked", cohort: "new", versionFlag: "on"),
        ]
        func matches(_ e: Event, _ c: EventCondition) -> Bool {
            e.event == c.event && (c.status == nil || e.status == c.status) && (c.cohort == nil || e.userCohort == c.cohort)
                && (c.versionFlag == nil || e.versionFlag == c.versionFlag)
        }
        // Arms by flag (A/B), then by days (a switchback), then overlapping arms (the first wins).
        var byDays = [EventFilter(), EventFilter()]
        byDays[0].days = [20_401, 20_403]
        byDays[1].days = [20_402, 20_404]
        let armings: [([EventFilter], (Event) -> Int?)] = [
            ([EventFilter(versionFlag: "off"), EventFilter(versionFlag: "on")], { ["off": 0, "on": 1][$0.versionFlag ?? ""] }),
            (byDays, { [20_401: 0, 20_403: 0, 20_402: 1, 20_404: 1][$0.day] }),
            ([EventFilter(fromDay: 20_401, toDay: 20_402), EventFilter(fromDay: 20_402, toDay: 20_404)], { $0.day <= 20_402 ? 0 : 1 }),
        ]
        for (arms, arm) in armings {
            let tallies = try store.tallies(scan, arms: arms, measures: [.value, .latencyMs])
            let customers = try store.customerFacts(scan, arms: arms, conditions: conditions)
            for index in 0..<2 {
                let mine = inScan.filter { arm($0) == index }
                let theirs = tallies.filter { $0.arm == index }
                #expect(theirs.reduce(0) { $0 + $1.count } == mine.count)
                let errors = theirs.filter { $0.event == "booked" && $0.status?.hasPrefix("error") == true }.reduce(0) { $0 + $1.count }
                #expect(errors == mine.filter { $0.event == "booked" && $0.status!.hasPrefix("error") }.count)
                let latency = theirs.reduce(into: Moments()) { $0 += $1.latency }
                let latencies = mine.compactMap(\.latencyMs)
                #expect(latency.n == latencies.count && latency.sum == latencies.reduce(0, +))
                #expect(latency.sumOfSquares == latencies.reduce(0) { $0 + $1 * $1 })
                // Customers: distinct ids, and for each condition those with a matching event.
                var expected: [String: UInt64] = [:]
                for event in mine {
                    guard let user = event.userID else { continue }
                    var mask: UInt64 = 0
                    for (k, condition) in conditions.enumerated() where matches(event, condition) { mask |= 1 << UInt64(k) }
                    expected[user, default: 0] |= mask
                }
                #expect(customers[index].count == expected.count)
                #expect(customers[index].sorted() == expected.values.sorted())
            }
        }
    }

    /// With a period, a customer counts once per period, in the grouped query as in the scan.
    @Test func customersCountOncePerPeriod() throws {
        let folder = try TemporaryFolder()
        let store = try EventStore(path: folder.url.appendingPathComponent("s.sqlite").path)
        func seen(_ name: String, _ day: Int32, _ user: String) -> Event {
            Event(event: name, timestamp: 0, day: day, changeID: "none", attributed: false, userID: user, hash: "000000000000")
        }
        _ = try store.ingest(source: "a", format: "jsonl", at: 0) { writer in
            // u1 views in both weeks and books in the second; u2 views in the first only; a day
            // before the first week belongs to an earlier period.
            for event in [
                seen("viewed", 20_400, "u1"), seen("viewed", 20_407, "u1"), seen("booked", 20_409, "u1"),
                seen("viewed", 20_401, "u2"), seen("booked", 20_399, "u2"),
            ] { try writer.store(event) }
            return "sha"
        }
        let all = EventFilter(fromDay: 20_399, toDay: 20_413)
        let period: (start: Int32, length: Int32) = (20_400, 7)
        #expect(try store.convertedUsers(from: "viewed", to: "booked", all) == (2, 2))
        #expect(try store.convertedUsers(from: "viewed", to: "booked", all, period: period) == (3, 1))
        let masks = try store.customerFacts(
            all, arms: [EventFilter()], conditions: [EventCondition(event: "viewed"), EventCondition(event: "booked")], period: period)
        #expect(masks[0].sorted() == [1, 1, 2, 3])  // u1 week 1, u2 week 1, u2 the day before, u1 week 2
    }
}
