import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// Exports without ids overlap: a corrected re-export, daily "last 7 days" exports. Rows already
/// stored are not stored again, counted as a multiset; batches can be replaced and removed.
@Suite struct OverlappingExportTests {
    static let header = "job_number,event,timestamp,change_id,user_id,value\n"

    /// A job export of jobs `numbers`, completed one a day from 2 November.
    static func export(_ numbers: ClosedRange<Int>, badTimestampFor bad: Int? = nil) -> String {
        header + numbers.map { n in
            let time = n == bad ? "5th Nov 2026 2:30 PM" : String(format: "2026-11-%02dT10:00:00-06:00", 1 + n)
            return "J-\(n),job_completed,\(time),CHG-0001,cust-\(n),\(100 + n).50"
        }.joined(separator: "\n") + "\n"
    }

    func completed(_ fixture: IngestFixture) throws -> Int {
        try fixture.store.count(EventFilter(event: "job_completed"))
    }

    @Test func aCorrectedReExportStoresOnlyTheFixedRow() throws {
        let fixture = try IngestFixture()
        let first = try fixture.ingest(Self.export(1...20, badTimestampFor: 7), as: "jobs-export.csv")
        #expect(first.outcome.stored == 19 && first.outcome.quarantined == 1)
        let corrected = try fixture.ingest(Self.export(1...20), as: "jobs-export.csv")
        #expect(corrected.outcome.stored == 1)
        #expect(corrected.outcome.identical == 19)
        #expect(try completed(fixture) == 20)
    }

    @Test func overlappingDailyExportsStoreEachRowOnce() throws {
        let fixture = try IngestFixture()
        // "Last 7 days" exports on three mornings, under different file names.
        for (day, range) in [(8, 1...7), (9, 2...8), (10, 3...9)] {
            let report = try fixture.ingest(Self.export(range), as: "jobs-2026-11-\(day).csv")
            #expect(report.outcome.stored == (day == 8 ? 7 : 1), "export of the \(day)th")
            #expect(report.outcome.identical == (day == 8 ? 0 : 6))
        }
        #expect(try completed(fixture) == 9)
    }

    @Test func identicalRowsCountAsAMultiset() throws {
        let fixture = try IngestFixture()
        let row = "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-1,99.50\n"
        // Two identical rows in one file are two events (two visits billed the same), as before.
        let first = try fixture.ingest(Self.header + row + row, as: "a.csv")
        #expect(first.outcome.stored == 2)
        // A later file with three copies adds one: 3 − 2.
        let second = try fixture.ingest(Self.header + row + row + row, as: "b.csv")
        #expect(second.outcome.stored == 1 && second.outcome.identical == 2)
        // One copy again adds nothing.
        let third = try fixture.ingest(Self.header + row + "J-2,job_completed,2026-11-03T11:00:00-06:00,CHG-0001,cust-2,10\n", as: "c.csv")
        #expect(third.outcome.stored == 1 && third.outcome.identical == 1)
        #expect(try completed(fixture) == 4)
    }

    @Test func rowsThatDifferInAnyFieldAreAllStored() throws {
        let fixture = try IngestFixture()
        let base = "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-1,99.50\n"
        _ = try fixture.ingest(Self.header + base, as: "a.csv")
        let variants = [
            "J-2,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-1,99.50",  // a prop
            "J-1,job_completed,2026-11-03T10:00:01-06:00,CHG-0001,cust-1,99.50",  // the time
            "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0002,cust-1,99.50",  // the change
            "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-2,99.50",  // the customer
            "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-1,99.51",  // the value
            "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-1,",  // no value
        ]
        let report = try fixture.ingest(Self.header + variants.joined(separator: "\n") + "\n", as: "b.csv")
        #expect(report.outcome.stored == variants.count && report.outcome.identical == 0)
    }

    @Test func rowsWithAnEventIDAreLeftToTheEventID() throws {
        let fixture = try IngestFixture()
        let row = #"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z","event_id":"web-1"}"#
        _ = try fixture.ingest(row + "\n", as: "a.jsonl")
        let again = try fixture.ingest(row + "\n" + row.replacingOccurrences(of: "web-1", with: "web-2") + "\n", as: "b.jsonl")
        #expect(again.outcome.stored == 1 && again.outcome.duplicates == 1 && again.outcome.identical == 0)
    }

    @Test func replaceSwapsTheBatchesOfTheSameFileInOneTransaction() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest(Self.export(1...10), as: "jobs.csv")
        _ = try fixture.ingest(Self.export(20...22), as: "other.csv")
        let replaced = try fixture.ingest(Self.export(1...8), as: "jobs.csv", replacing: true)
        #expect(replaced.outcome.replaced.map(\.id) == [1])
        #expect(replaced.outcome.replaced.first?.eventsRemoved == 10)
        #expect(replaced.outcome.stored == 8 && replaced.outcome.identical == 0)
        #expect(try completed(fixture) == 11)
        let batches = try fixture.store.batches()
        #expect(batches.map(\.eventsNow) == [0, 3, 8])
        #expect(batches[0].replacedBy == 3 && batches[0].removedAt != nil)
        // The replaced file's content can come back: its SHA-256 no longer blocks it.
        let back = try fixture.ingest(Self.export(1...10), as: "jobs.csv", replacing: true)
        #expect(back.outcome.stored == 10 && back.outcome.alreadyIngested == nil)
        #expect(try completed(fixture) == 13)
    }

    @Test func replaceThatFailsChangesNothing() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest(Self.export(1...10), as: "jobs.csv")
        // A header the CSV reader refuses stops the whole file: the old batch must survive.
        #expect(throws: (any Error).self) { try fixture.ingest("event,,timestamp\n", as: "jobs.csv", replacing: true) }
        #expect(try completed(fixture) == 10)
        #expect(try fixture.store.batches().map(\.removedAt) == [nil])
    }

    @Test func removingABatchDeletesItsEventsAndKeepsItListed() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest(Self.export(1...5, badTimestampFor: 2), as: "a.csv")
        _ = try fixture.ingest(Self.export(10...12), as: "b.csv")
        let removed = try fixture.store.removeBatch(1, at: 1_000)
        #expect(removed == RemovedBatch(id: 1, source: "a.csv", events: 4, quarantined: 1))
        #expect(try completed(fixture) == 3)
        #expect(try fixture.store.batches().map(\.removedAt) == [1_000, nil])
        #expect(try fixture.store.quarantine(all: false).isEmpty)
        #expect(try fixture.store.quarantine(all: true).count == 1)
        #expect(throws: StoreError.self) { try fixture.store.removeBatch(1, at: 2_000) }
        #expect(throws: StoreError.self) { try fixture.store.removeBatch(99, at: 2_000) }
    }

    @Test func removingABatchNamesLaterBatchesThatSkippedItsRows() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest(Self.export(1...5), as: "a.csv")
        _ = try fixture.ingest(Self.export(1...6), as: "b.csv")
        let removed = try fixture.store.removeBatch(1, at: 1_000)
        #expect(removed.laterBatchesWithSkippedRows == [2])
        #expect(try completed(fixture) == 1)
        // Ingesting b.csv again with --replace stores what batch 1 took away.
        _ = try fixture.ingest(Self.export(1...6), as: "b.csv", replacing: true)
        #expect(try completed(fixture) == 6)
    }
}

/// A large export (the store rebuilds its indexes for it) skips identical rows the same way.
@Suite struct LargeOverlappingExportTests {
    @Test func aLargeReExportStoresOnlyWhatIsNew() throws {
        let fixture = try IngestFixture(timeZone: "UTC")
        // About 200 bytes a row, so 60,000 rows make a batch large enough to load in bulk.
        let note = String(repeating: "x", count: 40)
        let rows = (0..<60_000).map { (index: Int) -> String in
            let time = String(format: "2026-10-%02dT%02d:%02d:00Z", 1 + index % 30, index % 24, index % 60)
            let change = String(format: "CHG-%04d", index % 3)
            return #"{"event":"job_completed","timestamp":"\#(time)","change_id":"\#(change)","user_id":"cust-\#(index)","value":\#(index % 900).5,"props":{"note":"\#(note)"}}"#
        }
        let first = try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "export-1.jsonl")
        #expect(first.outcome.stored == 60_000)
        let extra = #"{"event":"job_completed","timestamp":"2026-10-31T09:00:00Z","change_id":"CHG-0001","user_id":"new"}"#
        let second = try fixture.ingest(rows.joined(separator: "\n") + "\n" + extra + "\n", as: "export-2.jsonl")
        #expect(second.outcome.stored == 1 && second.outcome.identical == 60_000)
        #expect(try fixture.store.eventCount() == 60_001)
    }
}
