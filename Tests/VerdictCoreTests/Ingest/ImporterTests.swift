import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictStore
import VerdictTestSupport

/// Importer plugins turn job-management exports into events, with the usual validation.
@Suite(.serialized) struct ImporterTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func fixture() throws -> IngestFixture {
        return try IngestFixture(timeZone: "America/Chicago")
    }

    func sample(_ name: String, into fixture: IngestFixture) throws -> String {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("experiments/examples/\(name)"), encoding: .utf8)
        try fixture.folder.write(text, to: name)
        return name
    }

    @Test func spreadsheetSample() throws {
        let fixture = try fixture()
        let report = try fixture.ingester.ingest(
            try sample("spreadsheet-sample.csv", into: fixture), relativeTo: fixture.folder.url, importer: "spreadsheet")
        #expect(report.outcome.stored == 5)
        #expect(report.quarantined.map(\.line) == [7])
        #expect(report.quarantined.first?.reason == #"the spreadsheet importer failed on this row: Date/Time: "2026-13-04 8:00 AM" is not a real date: there is no month 13"#)
        let completed = try #require(try fixture.store.events(EventFilter(event: "job_completed"), limit: 5).first?.event)
        #expect(completed.value == 1240)
        #expect(completed.timestamp == 1_793_736_300_000)  // 2026-11-03 14:05 CST = 20:05Z
        #expect(completed.props == #"{"Crew":"crew-2","Notes":"Panel upgrade, 200A"}"#)
        #expect(completed.changeID == "CHG-0001" && completed.versionFlag == "off")
    }

    @Test func jobberSampleAndOverlappingExports() throws {
        let fixture = try fixture()
        let name = try sample("jobber-jobs-sample.csv", into: fixture)
        let report = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url, importer: "jobber")
        #expect(report.outcome.stored == 5)  // 4 bookings + 2 completions, one row with an impossible date
        #expect(report.quarantined.map(\.line) == [5])
        // The reason names the importer and the column, not the Lua function it came from.
        #expect(report.quarantined.first?.reason == #"the jobber importer failed on this row: Completed date: "11/31/2026 1:00 PM" is not a real date: November 2026 has 30 days"#)
        let counts = try fixture.store.countEvents(EventFilter(), groupedBy: [.event]).map { ($0.keys.first, $0.count) }
        #expect(counts.map(\.1) == [3, 2])
        // Tomorrow's export repeats today's jobs: their event ids are stored once.
        let next = try String(contentsOf: fixture.folder.url.appendingPathComponent(name), encoding: .utf8)
            + "5205,Mia Ford,Smoke detectors,7 Ash Ln,60614,11/05/2026 9:00 AM,11/06/2026 9:00 AM,,0.00,,Safety,Crew B,Website\n"
        try fixture.folder.write(next, to: "jobber-next.csv")
        let second = try fixture.ingester.ingest("jobber-next.csv", relativeTo: fixture.folder.url, importer: "jobber")
        #expect(second.outcome.stored == 1)
        #expect(second.outcome.duplicates == 5)
    }

    @Test func housecallProSample() throws {
        let fixture = try fixture()
        let report = try fixture.ingester.ingest(
            try sample("housecall-pro-jobs-sample.csv", into: fixture), relativeTo: fixture.folder.url, importer: "housecall_pro")
        #expect(report.outcome.stored == 8)
        #expect(report.outcome.quarantined == 0)
        let counts = Dictionary(uniqueKeysWithValues: try fixture.store.countEvents(EventFilter(), groupedBy: [.event]).map {
            (($0.keys.first.flatMap { if case .text(let t) = $0 { t } else { nil } }) ?? "", $0.count)
        })
        #expect(counts == ["appointment_booked": 4, "job_completed": 2, "appointment_cancelled": 1, "callback_booked": 1])
        let cohorts = try fixture.store.countEvents(EventFilter(event: "appointment_booked"), groupedBy: [.cohort]).map(\.count)
        #expect(cohorts == [3, 1])  // new_customer, returning
    }

    @Test func importerErrors() throws {
        let fixture = try fixture()
        try fixture.folder.write("A,B\n1,2\n", to: "odd.csv")
        let unknown = try #require(throws: ScriptError.self) {
            try fixture.ingester.ingest("odd.csv", relativeTo: fixture.folder.url, importer: "nope")
        }
        #expect(unknown.message.hasPrefix("no importer \"nope\": module \"importers.nope\" not found"))
        #expect(throws: IngestError.badHeader(
            source: "odd.csv", reason: "the jobber importer needs the columns \"Job #\", \"Client name\", \"Created date\", \"Completed date\", \"Total ($)\", \"Job type\" (the file has A, B)")) {
            try fixture.ingester.ingest("odd.csv", relativeTo: fixture.folder.url, importer: "jobber")
        }
        // Declared columns are found whatever their capitals and spacing; a missing one names the nearest.
        try fixture.folder.write(
            "job #, CLIENT NAME ,created  date,Completed Date,total ($),job type\n9,Ann,11/03/2026 9:00 AM,,,Repair\n", to: "caps.csv")
        #expect(try fixture.ingester.ingest("caps.csv", relativeTo: fixture.folder.url, importer: "jobber").outcome.stored == 1)
        try fixture.folder.write("Job #,Client name,Created date,Closed date,Total ($),Job type\n", to: "closed.csv")
        let closed = try #require(throws: IngestError.self) {
            try fixture.ingester.ingest("closed.csv", relativeTo: fixture.folder.url, importer: "jobber")
        }
        #expect("\(closed)".hasSuffix(#"; nearest: "Closed date" for "Completed date")"#), "\(closed)")
        // A workspace importer: runaway code in map is stopped per row and the row quarantined.
        try fixture.folder.write(
            "return importer { columns = { 'A' }, map = function(row) if row.A == '1' then while true do end end return { event = 'x', timestamp = local_timestamp(2026, 3, 8, 2, 30) } end }\n",
            to: "plugins/importers/mine.lua")
        try fixture.folder.write("A\n1\n2\n", to: "mine.csv")
        let mine = try fixture.ingester.ingest("mine.csv", relativeTo: fixture.folder.url, importer: "mine")
        #expect(mine.outcome.stored == 1)
        #expect(mine.quarantined.first?.reason.contains("instruction limit exceeded") == true)
        #expect(mine.quarantined.first?.reason.hasPrefix("the mine importer failed on this row: plugins/importers/mine.lua:1: ") == true, "\(mine.quarantined)")
        // 02:30 on the spring-forward day does not exist in Chicago: it moves to 03:30 CDT.
        let stored = try #require(try fixture.store.events(EventFilter(event: "x"), limit: 1).first?.event)
        #expect(stored.timestamp == 1_772_958_600_000)  // 2026-03-08T08:30:00Z
    }
}
