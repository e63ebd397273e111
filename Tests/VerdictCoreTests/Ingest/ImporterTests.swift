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
        #expect(completed.props == #"{"crew":"crew-2","notes":"Panel upgrade, 200A"}"#)
        #expect(completed.changeID == "CHG-0001" && completed.versionFlag == "off")
    }

    /// Every stored event's name, counted.
    func counts(_ fixture: IngestFixture) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try fixture.store.countEvents(EventFilter(), groupedBy: [.event]).map {
            (($0.keys.first.flatMap { if case .text(let t) = $0 { t } else { nil } }) ?? "", $0.count)
        })
    }

    func event(_ id: String, in fixture: IngestFixture) throws -> Event? {
        try fixture.store.events(EventFilter(), limit: 1000).map(\.event).first { $0.eventID == id }
    }

    /// Jobber's Jobs export as REAL-DATA.md lists its columns: a byte-order mark, CRLF, a quoted
    /// multi-line `Line items`, `$2,450.00`, custom fields, no `Job type` and no `Completed date`.
    @Test func jobberJobsExport() throws {
        let fixture = try fixture()
        let name = try sample("jobber-jobs-sample.csv", into: fixture)
        let report = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url, importer: "jobber")
        #expect(report.outcome.stored == 7)  // 4 bookings + 3 completions; job 5204's closed date is impossible
        #expect(report.quarantined.map(\.line) == [6], "line 2's Line items take two lines")
        #expect(report.quarantined.first?.reason == #"the jobber importer failed on this row: Closed date: "11/31/2026" is not a real date: November 2026 has 30 days"#)
        #expect(try counts(fixture) == ["appointment_booked": 4, "job_completed": 3])
        let completed = try #require(try event("jobber-job-5201-completed", in: fixture))
        #expect(completed.value == 2450 && completed.userID == "Dana Whitfield")
        #expect(completed.timestamp == 1_793_772_000_000)  // 4 Nov 2026, midnight in Chicago (06:00Z)
        // Its own props, then the account's custom fields, named as props; no addresses or phones.
        let props = try #require(completed.props)
        #expect(props == #"{"builder_rep":"Sam Hale","city":"Chicago","crew":"Crew A","job":"5201","lead_source":"Website","project_type":"Panel","salesperson":"Jen Ortiz","title":"Panel upgrade","zip":"60614"}"#)
        let booked = try #require(try event("jobber-job-5205-booked", in: fixture))
        #expect(booked.timestamp == 1_793_772_000_000)  // 4 Nov 2026 (Created date), midnight CST
        #expect(try event("jobber-job-5205-completed", in: fixture)?.value == 1240)
        // Tomorrow's export repeats today's jobs: their event ids are stored once.
        let next = try String(contentsOf: fixture.folder.url.appendingPathComponent(name), encoding: .utf8)
            + "5206,Bill Young,,,,,,,,,,60614,Basement wiring,11/05/2026,11/06/2026 8:00 AM,,,,,,313,$0.00,,,,,,,\r\n"
        try fixture.folder.write(next, to: "jobber-next.csv")
        let second = try fixture.ingester.ingest("jobber-next.csv", relativeTo: fixture.folder.url, importer: "jobber")
        #expect(second.outcome.stored == 1 && second.outcome.duplicates == 7)
    }

    /// Quotes give quote_sent and quote_approved; a conversion books each job under the job's own
    /// event id, so the Jobs export and the Quotes export together count a booking once.
    @Test func jobberQuotesCombineWithJobsWithoutCountingABookingTwice() throws {
        let fixture = try fixture()
        let quotes = try fixture.ingester.ingest(
            try sample("jobber-quotes-sample.csv", into: fixture), relativeTo: fixture.folder.url, importer: "jobber_quotes")
        #expect(quotes.outcome.stored == 10 && quotes.outcome.quarantined == 0)
        #expect(try counts(fixture) == ["quote_sent": 4, "quote_approved": 3, "appointment_booked": 3])
        #expect(try event("jobber-quote-312-approved", in: fixture)?.value == 640)
        #expect(try event("jobber-job-5207-booked", in: fixture) != nil, "a quote converted into two jobs books both")
        #expect(try event("jobber-quote-310-sent", in: fixture)?.props?.contains(#""builder_rep":"Sam Hale""#) == true, "BUILDER REP, in capitals, is the same prop")
        let jobs = try fixture.ingester.ingest(
            try sample("jobber-jobs-sample.csv", into: fixture), relativeTo: fixture.folder.url, importer: "jobber")
        #expect(jobs.outcome.stored == 6 && jobs.outcome.duplicates == 1, "job 5201's booking came with its quote")
        #expect(try counts(fixture)["appointment_booked"] == 6)
    }

    @Test func jobberInvoicesExport() throws {
        let fixture = try fixture()
        let report = try fixture.ingester.ingest(
            try sample("jobber-invoices-sample.csv", into: fixture), relativeTo: fixture.folder.url, importer: "jobber_invoices")
        #expect(report.outcome.stored == 2 && report.outcome.quarantined == 0, "only the two paid invoices")
        let paid = try #require(try event("jobber-invoice-1042-paid", in: fixture))
        #expect(paid.event == "invoice_paid" && paid.value == 2450 && paid.timestamp == 1_793_944_800_000)  // 6 Nov, midnight CST
        #expect(paid.props == #"{"builder_rep":"Sam Hale","crew":"Crew A","days_to_paid":"2","invoice":"1042","job":"5201","salesperson":"Jen Ortiz","zip":"60614"}"#)
    }

    /// Housecall Pro's documented columns only: bookings; with the further status and amount
    /// columns real exports have: completions, cancellations, callbacks.
    @Test func housecallProExport() throws {
        let fixture = try fixture()
        let full = try sample("housecall-pro-jobs-sample.csv", into: fixture)
        let plain = "Invoice Number,Created At,Date,End Time,Customer,First Name,Last Name,Email,City,State\r\n"
            + "1001,11/02/2026 9:12 AM,11/04/2026 8:00 AM,10:00 AM,Ann Lee,Ann,Lee,ann@example.com,Chicago,IL\r\n"
            + "1002,11/02/2026 2:40 PM,11/03/2026 1:00 PM,3:10 PM,Raj Patel,Raj,Patel,,Chicago,IL\r\n"
        try fixture.folder.write(plain, to: "hcp-documented.csv")
        let bookings = try fixture.ingester.ingest("hcp-documented.csv", relativeTo: fixture.folder.url, importer: "housecall_pro")
        #expect(bookings.outcome.stored == 2 && bookings.outcome.quarantined == 0)
        #expect(try event("hcp-1001-appointment_booked", in: fixture)?.timestamp == 1_793_632_320_000)  // 2 Nov 09:12 CST
        let report = try fixture.ingester.ingest(full, relativeTo: fixture.folder.url, importer: "housecall_pro")
        #expect(report.outcome.stored == 6 && report.outcome.duplicates == 2 && report.outcome.quarantined == 0)
        #expect(try counts(fixture) == ["appointment_booked": 4, "job_completed": 2, "appointment_canceled": 1, "callback": 1])
        let completed = try #require(try event("hcp-1002-job_completed", in: fixture))
        #expect(completed.value == 1180 && completed.props?.contains(#""job":"Rewire kitchen""#) == true)
        #expect(completed.props?.contains("Patel") == false, "names, e-mail and phone stay out of the props")
    }

    /// An office's appointments sheet: every row a booking, and what became of it.
    @Test func appointmentsSpreadsheet() throws {
        let fixture = try fixture()
        let report = try fixture.ingester.ingest(
            try sample("appointments-sample.csv", into: fixture), relativeTo: fixture.folder.url, importer: "appointments")
        #expect(report.outcome.stored == 16)
        #expect(report.quarantined.map(\.line) == [8])
        #expect(report.quarantined.first?.reason.contains(#"Status: "On hold" is not a status this importer knows"#) == true)
        #expect(try counts(fixture) == ["appointment_booked": 6, "appointment_due": 5, "job_completed": 2, "no_show": 2, "appointment_canceled": 1])
        let noShow = try #require(try event("appointment-A-102-no_show", in: fixture))
        #expect(noShow.timestamp == 1_793_646_000_000 && noShow.props == #"{"appointment":"A-102","status":"no show","tech":"Marco"}"#)
        #expect(try event("appointment-A-102-appointment_booked", in: fixture)?.timestamp == 1_793_336_400_000)  // booked 30 Oct, CDT
    }

    @Test func importerErrors() throws {
        let fixture = try fixture()
        try fixture.folder.write("A,B\n1,2\n", to: "odd.csv")
        let unknown = try #require(throws: ScriptError.self) {
            try fixture.ingester.ingest("odd.csv", relativeTo: fixture.folder.url, importer: "nope")
        }
        #expect(unknown.message.hasPrefix("no importer \"nope\": module \"importers.nope\" not found"))
        #expect(throws: IngestError.badHeader(
            source: "odd.csv", reason: "the jobber importer needs the columns \"Job #\", \"Client name\", \"Created date\", \"Closed date\", \"Total revenue ($)\" (the file has A, B)")) {
            try fixture.ingester.ingest("odd.csv", relativeTo: fixture.folder.url, importer: "jobber")
        }
        // Declared columns are found whatever their capitals and spacing; a missing one names the nearest.
        try fixture.folder.write(
            "job #, CLIENT NAME ,created  date,Closed Date,total REVENUE ($),service zip\n9,Ann,11/03/2026 9:00 AM,,,60614\n", to: "caps.csv")
        #expect(try fixture.ingester.ingest("caps.csv", relativeTo: fixture.folder.url, importer: "jobber").outcome.stored == 1)
        try fixture.folder.write("Job #,Client name,Created date,Completed date,Total revenue ($)\n", to: "closed.csv")
        let closed = try #require(throws: IngestError.self) {
            try fixture.ingester.ingest("closed.csv", relativeTo: fixture.folder.url, importer: "jobber")
        }
        #expect("\(closed)".hasSuffix(#"; nearest: "Completed date" for "Closed date")"#), "\(closed)")
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
