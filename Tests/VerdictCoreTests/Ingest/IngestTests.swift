import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

@Suite struct IngestTests {
    static func line(_ event: String = "quote_viewed", at time: String = "2026-11-03T10:00:00Z", _ extra: String = "") -> String {
        #"{"event":"\#(event)","timestamp":"\#(time)""# + (extra.isEmpty ? "" : "," + extra) + "}"
    }

    @Test func badRowsGoToQuarantineWithTheirPlaceAndNothingElseStops() throws {
        let fixture = try IngestFixture()
        let text = [
            Self.line(), Self.line(at: "2026-13-02T10:00:00Z"), "", Self.line(#"x"#, at: "nope"), Self.line("kept"),
        ].joined(separator: "\n") + "\n"
        let report = try fixture.ingest(text, as: "web.jsonl")
        #expect(report.outcome == IngestOutcome(batchID: 1, rowsRead: 4, stored: 2, duplicates: 0, quarantined: 2))
        let quarantined = try fixture.store.quarantinedRows()
        #expect(quarantined == [
            QuarantinedRow(
                source: "web.jsonl", line: 2, reason: #"timestamp "2026-13-02T10:00:00Z" is not ISO 8601: there is no month 13"#,
                raw: Self.line(at: "2026-13-02T10:00:00Z")),
            QuarantinedRow(
                source: "web.jsonl", line: 4, reason: #"timestamp "nope" is not ISO 8601 (such as 2026-11-02T14:05:00-06:00)"#,
                raw: Self.line("x", at: "nope")),
        ])
        let batch = try #require(try fixture.store.batches().first)
        #expect(batch.rowsRead == 4 && batch.stored == 2 && batch.quarantined == 2 && batch.source == "web.jsonl")
        #expect(batch.sha256?.count == 64)
    }

    @Test func theSameFileTwiceStoresNothingTheSecondTime() throws {
        let fixture = try IngestFixture()
        let text = Self.line() + "\n" + Self.line("other") + "\n"
        let first = try fixture.ingest(text, as: "a.jsonl")
        #expect(first.outcome.stored == 2)
        let again = try fixture.ingest(text, as: "copy-of-a.jsonl")
        #expect(again.outcome.alreadyIngested?.batchID == 1)
        #expect(again.outcome.stored == 0)
        #expect(try fixture.store.eventCount() == 2)
        #expect(try fixture.store.batches().count == 1)
    }

    @Test func eventIDIsStoredOnceAcrossBatchesAndWithinOne() throws {
        let fixture = try IngestFixture()
        let first = try fixture.ingest(
            Self.line(at: "2026-11-03T10:00:00Z", #""event_id":"e-1""#) + "\n" + Self.line(at: "2026-11-03T10:00:01Z", #""event_id":"e-1""#) + "\n",
            as: "a.jsonl")
        #expect(first.outcome.stored == 1)
        #expect(first.outcome.duplicates == 1)
        let second = try fixture.ingest(
            Self.line("again", at: "2026-11-04T10:00:00Z", #""event_id":"e-1""#) + "\n" + Self.line(#"new"#, at: "2026-11-04T10:00:00Z", #""event_id":"e-2""#) + "\n",
            as: "b.jsonl")
        #expect(second.outcome.stored == 1)
        #expect(second.outcome.duplicates == 1)
        let stored = try fixture.store.events(EventFilter(), limit: 10).map(\.event)
        #expect(stored.map(\.event) == ["quote_viewed", "new"])  // the first copy wins
    }

    @Test func identicalEventsWithoutEventIDAreBothKept() throws {
        let fixture = try IngestFixture()
        let report = try fixture.ingest(Self.line() + "\n" + Self.line() + "\n", as: "twice.jsonl")
        #expect(report.outcome.stored == 2)
        #expect(report.outcome.duplicates == 0)
    }

    /// A large batch loads without indexes and removes repeated event_ids at the end; the counts
    /// and the rows kept are the same as row by row.
    @Test func bulkBatchDeduplicatesLikeSmallOnes() throws {
        let fixture = try IngestFixture()
        try fixture.ingest(Self.line("early", #""event_id":"id-7""#) + "\n", as: "early.jsonl")
        var lines: [String] = []
        for index in 0..<60_000 {
            lines.append(Self.line("bulk", at: "2026-11-03T10:00:00Z", #""event_id":"id-\#(index % 50_000)""#))
        }
        let report = try fixture.ingest(lines.joined(separator: "\n") + "\n", as: "bulk.jsonl")
        #expect(report.outcome.rowsRead == 60_000)
        #expect(report.outcome.stored == 49_999)  // 50,000 distinct ids, one of them stored earlier
        #expect(report.outcome.duplicates == 10_001)
        #expect(try fixture.store.eventCount() == 50_000)
        #expect(try fixture.store.countEvents(EventFilter(event: "early"), groupedBy: []).first?.count == 1)
        // The indexes are back and enforce uniqueness for the next small batch.
        let next = try fixture.ingest(Self.line("late", #""event_id":"id-123""#) + "\n", as: "late.jsonl")
        #expect(next.outcome.duplicates == 1)
    }

    /// A large batch without repeats learns so from building the unique index, and stores all.
    @Test func bulkBatchWithoutRepeatsStoresEveryRow() throws {
        let fixture = try IngestFixture()
        try fixture.ingest(Self.line("early", #""event_id":"early-1""#) + "\n", as: "early.jsonl")
        let lines = (0..<60_000).map { Self.line("bulk", at: "2026-11-03T10:00:00Z", #""event_id":"id-\#($0)""#) }
        let report = try fixture.ingest(lines.joined(separator: "\n") + "\n", as: "bulk.jsonl")
        #expect(report.outcome.stored == 60_000)
        #expect(report.outcome.duplicates == 0)
        #expect(try fixture.store.eventCount() == 60_001)
        let next = try fixture.ingest(
            Self.line("late", #""event_id":"id-59999""#) + "\n" + Self.line("late", #""event_id":"early-1""#) + "\n"
                + Self.line("late", #""event_id":"id-60000""#) + "\n",
            as: "late.jsonl")
        #expect(next.outcome.duplicates == 2)
        #expect(next.outcome.stored == 1)
    }

    @Test func unattributedEventsAreStoredAsNone() throws {
        let fixture = try IngestFixture()
        try fixture.ingest(Self.line() + "\n" + Self.line(#"b"#, #""change_id":"CHG-0007""#) + "\n", as: "a.jsonl")
        let events = try fixture.store.events(EventFilter(), limit: 10).map(\.event)
        #expect(events.map(\.changeID) == ["none", "CHG-0007"])
        #expect(events.map(\.attributed) == [false, true])
    }

    /// Local days in America/Chicago across both daylight-saving changes of 2026.
    @Test func localDaysAcrossDaylightSaving() throws {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        let cases = [
            ("2026-03-08T07:59:00Z", "2026-03-08"),  // 01:59 CST, the hour before clocks spring forward
            ("2026-03-08T08:00:00Z", "2026-03-08"),  // 03:00 CDT
            ("2026-03-09T04:59:00Z", "2026-03-08"),  // 23:59 CDT
            ("2026-03-09T05:00:00Z", "2026-03-09"),  // 00:00 CDT
            ("2026-11-01T04:59:00Z", "2026-10-31"),  // 23:59 CDT
            ("2026-11-01T05:00:00Z", "2026-11-01"),  // 00:00 CDT
            ("2026-11-01T06:30:00Z", "2026-11-01"),  // 01:30 CDT, the first time
            ("2026-11-01T07:30:00Z", "2026-11-01"),  // 01:30 CST, the second time
            ("2026-11-02T05:59:00Z", "2026-11-01"),  // 23:59 CST
            ("2026-11-02T06:00:00Z", "2026-11-02"),  // 00:00 CST
            ("2026-11-01T23:30:00-06:00", "2026-11-01"),
            ("2026-11-02T01:30:00+02:00", "2026-11-01"),  // an offset other than the workspace's
        ]
        let text = cases.enumerated().map { index, item in Self.line("e\(index)", at: item.0) }.joined(separator: "\n")
        try fixture.ingest(text + "\n", as: "dst.jsonl")
        let days = try fixture.store.events(EventFilter(), limit: 100).reduce(into: [String: String]()) {
            $0[$1.event.event] = LocalDay(number: $1.event.day).description
        }
        for (index, item) in cases.enumerated() {
            #expect(days["e\(index)"] == item.1, "\(item.0) should be on \(item.1)")
        }
    }

    @Test func csvQuotingByteOrderMarkAndCRLF() throws {
        let fixture = try IngestFixture()
        let csv = "\u{FEFF}event,timestamp,change_id,value,notes,crew\r\n"
            + "job_completed,2026-11-04T10:00:00-06:00,CHG-0007,310.00,\"Panel swap, 200A\",3\r\n"
            + "job_completed,2026-11-04T11:00:00-06:00,CHG-0007,,\"He said \"\"call me\"\"\r\nbefore noon\",2\r\n"
            + "job_completed,2026-11-04T12:00:00-06:00,,5,,\r\n"
            + "job_completed,2026-11-04T13:00:00-06:00,CHG-0007,abc,x,1\r\n"
            + "job_completed,2026-11-04T14:00:00-06:00\r\n"
            + "job_completed,2026-11-04T15:00:00-06:00,CHG-0007,1,\"unterminated,4"
        let report = try fixture.ingest(csv, as: "jobs.csv")
        #expect(report.format == .csv)
        #expect(report.outcome.stored == 3)
        let events = try fixture.store.events(EventFilter(), limit: 10).map(\.event)
        #expect(events[0].props == #"{"crew":"3","notes":"Panel swap, 200A"}"#)
        #expect(events[0].value == 310)
        #expect(events[1].props == #"{"crew":"2","notes":"He said \"call me\"\r\nbefore noon"}"#)
        #expect(events[1].value == nil)
        #expect(events[2].changeID == "none" && events[2].props == nil)
        #expect(report.quarantined.map(\.line) == [6, 7, 8])
        #expect(report.quarantined.map(\.reason) == [
            #"value: "abc" is not a number (such as 182 or 245.50)"#,
            "has 2 fields but the header has 6",
            "the file ends inside a quoted field (a closing quote is missing)",
        ])
    }

    @Test func csvHeaderProblemsStopTheFile() throws {
        let fixture = try IngestFixture()
        #expect(throws: IngestError.badHeader(source: "h.csv", reason: "the header needs at least the columns event and timestamp (it has event, when), and it has the required columns of no importer: name one with --importer NAME (docs/importers.md)")) {
            try fixture.ingest("event,when\na,b\n", as: "h.csv")
        }
        #expect(throws: IngestError.badHeader(source: "d.csv", reason: "the header names column \"event\" twice")) {
            try fixture.ingest("event,timestamp,event\n", as: "d.csv")
        }
        #expect(try fixture.store.batches().isEmpty)
    }

    @Test func formatDetection() throws {
        let fixture = try IngestFixture()
        #expect(try fixture.ingest(Self.line() + "\n", as: "noext").format == .jsonl)
        #expect(try fixture.ingest("event,timestamp\na,2026-11-03T10:00:00Z\n", as: "export.txt").format == .csv)
        #expect(throws: IngestError.self) { try fixture.ingest("[" + Self.line() + "]\n", as: "array.txt") }
        let forced = try fixture.ingest(Self.line("forced") + "\n", as: "looks.csv", format: .jsonl)
        #expect(forced.outcome.stored == 1)
    }

    @Test func largeInputSpansManyBlocks() throws {
        let fixture = try IngestFixture()
        // Lines of varied length so records straddle the 1 MB read blocks.
        var text = ""
        for index in 0..<30_000 {
            text += Self.line("e", at: "2026-11-03T10:00:00Z", #""user_id":"\#(String(repeating: "u", count: 1 + index % 90))""#) + "\n"
        }
        let report = try fixture.ingest(text, as: "big.jsonl")
        #expect(report.outcome.stored == 30_000)
        #expect(report.outcome.quarantined == 0)
    }

    @Test func missingAndUnreadableFiles() throws {
        let fixture = try IngestFixture()
        #expect(throws: IngestError.unreadable(source: "nope.jsonl", reason: "no such file")) {
            try fixture.ingester.ingest("nope.jsonl", relativeTo: fixture.folder.url)
        }
        #expect(throws: IngestError.unreadable(source: "experiments", reason: "is a folder, not a file")) {
            try fixture.ingester.ingest("experiments", relativeTo: fixture.folder.url)
        }
    }
}
