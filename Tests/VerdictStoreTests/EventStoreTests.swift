import Foundation
import GRDB
import Testing
@testable import VerdictStore
import VerdictTestSupport

@Suite struct EventStoreTests {
    func event(_ name: String, day: Int32, change: String = "CHG-0007", flag: String? = "on", id: String? = nil) -> Event {
        Event(
            event: name, timestamp: Int64(day) * 86_400_000, day: day, changeID: change, attributed: true,
            versionFlag: flag, eventID: id, hash: "000000000000")
    }

    @Test func migratesToTheLatestVersionOnce() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent(".verdict/verdict.sqlite").path
        #expect(try EventStore(path: path).schemaVersion() == Schema.migrations.count)
        #expect(try EventStore(path: path).schemaVersion() == Schema.migrations.count)  // opening again migrates nothing
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
        let store = try EventStore(path: path)
        #expect(try store.schemaVersion() == 2)
        #expect(try store.eventCount() == 2)
        let plan = try store.read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM events WHERE change_id = 'CHG-0007' AND day = 20000 AND user_id = 'u1'"
            ).map { $0["detail"] as String }.joined()
        }
        #expect(plan.contains("COVERING INDEX events_by_change"))
    }

    @Test func refusesAStoreFromANewerVerdict() throws {
        let folder = try TemporaryFolder()
        let path = folder.url.appendingPathComponent("s.sqlite").path
        _ = try EventStore(path: path)
        let raw = Process()
        raw.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        raw.arguments = ["sqlite3", path, "PRAGMA user_version = 99"]
        try raw.run()
        raw.waitUntilExit()
        guard raw.terminationStatus == 0 else { return }  // no sqlite3 CLI here: nothing to check
        let error = try #require(throws: StoreError.self) { try EventStore(path: path) }
        #expect(error.description.contains("schema version 99"))
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
}
