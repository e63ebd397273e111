import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// A date such as 05/11/2026 is read in the workspace's `date_order`; without one it is refused
/// unless one part cannot be a month; a date impossible in the order is refused naming its column.
@Suite struct DateOrderTests {
    /// A workspace whose verdict.lua says `order` (nil: says none), and its ingester.
    func fixture(_ order: String?) throws -> (IngestFixture, Ingester) {
        let fixture = try IngestFixture()
        let settings = fixture.folder.url.appendingPathComponent("verdict.lua")
        var text = try String(contentsOf: settings, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.contains("date_order") })
        text = text.replacingOccurrences(of: String(line), with: order.map { "  date_order = \"\($0)\"," } ?? "")
        try text.write(to: settings, atomically: true, encoding: .utf8)
        let workspace = try Workspace(root: fixture.folder.url, library: fixture.workspace.library)
        return (fixture, try Ingester(workspace: workspace, clock: FixedClock(iso8601: "2026-11-20T07:00:00-06:00")!, actor: "test"))
    }

    /// Ingests a spreadsheet with one row dated `date` at 9:15 AM; the stored local day or the reason.
    func read(_ date: String, order: String?) throws -> String {
        let (fixture, ingester) = try fixture(order)
        try fixture.folder.write("Date,Time,Event,Customer\n\(date),9:15 AM,Quote viewed,c1\n", to: "sheet.csv")
        let report = try ingester.ingest("sheet.csv", relativeTo: fixture.folder.url, importer: "spreadsheet")
        if let refused = report.quarantined.first { return refused.reason }
        let event = try #require(try fixture.store.events(EventFilter(), limit: 1).first)
        return EventRecord(event, timeZone: fixture.workspace.timeZone).localTime
    }

    @Test func theOrderDecides() throws {
        #expect(try read("05/11/2026", order: "day_first").hasPrefix("2026-11-05T09:15:00"))
        #expect(try read("05/11/2026", order: "month_first").hasPrefix("2026-05-11T09:15:00"))
        #expect(try read("05.11.2026", order: "day_first").hasPrefix("2026-11-05T09:15:00"))
        #expect(try read("2026/11/05", order: "year_first").hasPrefix("2026-11-05T09:15:00"))
        // ISO 8601 is year first whatever the order.
        #expect(try read("2026-05-11", order: "day_first").hasPrefix("2026-05-11T09:15:00"))
    }

    @Test func withoutAnOrderOnlyAnUnambiguousDateIsRead() throws {
        #expect(try read("25/11/2026", order: nil).hasPrefix("2026-11-25T09:15:00"))
        #expect(try read("11/25/2026", order: nil).hasPrefix("2026-11-25T09:15:00"))
        #expect(try read("05/11/2026", order: nil)
            == #"the spreadsheet importer failed on this row: Date/Time: "05/11/2026 9:15 AM" could be 11 May or 5 November: set date_order = "month_first" or "day_first" in verdict.lua"#)
    }

    @Test func aDateImpossibleInTheOrderNamesItsColumn() throws {
        #expect(try read("11/25/2026", order: "day_first")
            == #"the spreadsheet importer failed on this row: Date/Time: "11/25/2026 9:15 AM" is not a date in day_first order (date_order in verdict.lua): there is no month 25"#)
    }

    @Test func initChoosesItFromTheTimeZone() throws {
        #expect(DateOrder.usual(inTimeZone: "America/Chicago") == .monthFirst)
        #expect(DateOrder.usual(inTimeZone: "Europe/London") == .dayFirst)
        #expect(DateOrder.usual(inTimeZone: "Australia/Sydney") == .dayFirst)
        #expect(DateOrder.usual(inTimeZone: "Asia/Tokyo") == .yearFirst)
        let london = try IngestFixture(timeZone: "Europe/London")
        #expect(london.workspace.settings.dateOrder == .dayFirst)
        let text = try String(contentsOf: london.folder.url.appendingPathComponent("verdict.lua"), encoding: .utf8)
        #expect(text.contains(#"date_order  = "day_first","#))
    }

    /// A CSV of events may write its timestamps as local dates and times: read in the date
    /// order and the workspace's time zone, exactly as importers read them through
    /// `dates.parse` (the same texts through both, under every order, agree).
    @Test func csvTimestampsReadLocalDatesAsImportersDo() throws {
        let texts = [
            "05/11/2026 9:15 AM", "11/25/2026", "25/11/2026 14:30", "2026-11-05 14:30", "2026/11/05", "Nov 5, 2026 2:30 PM",
            "5 Nov 2026", "05.11.2026", "13/14/2026", "11/31/2026", "2026-02-29", "2028-02-29 23:59:59", "12/12/2026",
            "Sept 3, 2026", "3 Sept. 2026 08:00", "11/05/2026 25:00", "hello", "2026-11-05T14:30", "2026-03-08 02:30",
            "2026-11-01 1:30 AM", "12/05/2026 12:00 AM", "1/2/2026 12:30 pm",
        ]
        for order in ["month_first", "day_first", "year_first", nil] {
            let (fixture, ingester) = try fixture(order)
            try fixture.folder.write(
                "return importer { columns = { 'Text' }, map = function(row) "
                    + "local y, m, d, h, mi, s = require('verdict.dates').parse(row.Text, date_order()) "
                    + "if not y then error(m, 0) end "
                    + "return { event = 'x', timestamp = local_timestamp(y, m, d, h, mi, s), event_id = row.Text } end }\n",
                to: "plugins/importers/probe.lua")
            let quoted = texts.map { "\"\($0)\"" }
            try fixture.folder.write("Text\n" + quoted.joined(separator: "\n") + "\n", to: "probe.csv")
            try fixture.folder.write("event,timestamp,event_id\n" + quoted.map { "y,\($0),\"csv-\($0.dropFirst())" }.joined(separator: "\n") + "\n", to: "events.csv")
            let lua = try ingester.ingest("probe.csv", relativeTo: fixture.folder.url, importer: "probe")
            let csv = try ingester.ingest("events.csv", relativeTo: fixture.folder.url)
            #expect(lua.outcome.rowsRead == texts.count && csv.outcome.rowsRead == texts.count)
            let events = try fixture.store.events(EventFilter(), limit: 1000).map(\.event)
            for (index, text) in texts.enumerated() {
                let viaLua = events.first { $0.eventID == text }
                let viaCSV = events.first { $0.eventID == "csv-\(text)" }
                #expect(viaLua?.timestamp == viaCSV?.timestamp, "\(text) in \(order ?? "no") order: \(String(describing: viaLua?.timestamp)) against \(String(describing: viaCSV?.timestamp))")
                guard viaLua == nil else { continue }
                let luaReason = try #require(lua.quarantined.first { $0.line == index + 2 }?.reason)
                let csvReason = try #require(csv.quarantined.first { $0.line == index + 2 }?.reason)
                let core = luaReason.replacingOccurrences(of: "the probe importer failed on this row: ", with: "")
                let generic = core.contains("is not a date such as")
                #expect(generic ? csvReason.contains("nor a local date and time") : csvReason == "timestamp: " + core, "\(text) in \(order ?? "no") order")
            }
        }
        // 05/11/2026 in a day-first shop is 5 November, in the shop's own zone.
        let (fixture, ingester) = try fixture("day_first")
        try fixture.folder.write("event,timestamp\njob_completed,05/11/2026 2:30 PM\n", to: "day.csv")
        #expect(try ingester.ingest("day.csv", relativeTo: fixture.folder.url).outcome.stored == 1)
        let stored = try #require(try fixture.store.events(EventFilter(), limit: 1).first)
        #expect(EventRecord(stored, timeZone: fixture.workspace.timeZone).localTime.hasPrefix("2026-11-05T14:30:00"))
    }

    /// A US export in a day-first shop: the dates impossible day first say so and say how to
    /// read the file month first; read again that way with --replace, nothing is left wrong.
    @Test func aFileInTheOtherOrderIsReadAgainInIt() throws {
        let (fixture, ingester) = try fixture("day_first")
        let text = try String(contentsOf: Repository.file("experiments/examples/appointments-sample.csv"), encoding: .utf8)
        try fixture.folder.write(text, to: "us.csv")
        let first = try ingester.ingest("us.csv", relativeTo: fixture.folder.url)
        #expect(first.outcome.quarantined == 4)
        #expect(first.hint == "some dates cannot be day_first; if the file writes them month_first, read it again: verdict ingest us.csv --date-order month_first --replace")
        let again = try ingester.ingest("us.csv", relativeTo: fixture.folder.url, replacing: true, dateOrder: .monthFirst)
        #expect(again.outcome.stored == 16 && again.outcome.quarantined == 1 && again.hint == nil)
        let noShows = try fixture.store.events(EventFilter(event: "no_show"), limit: 10).map { EventRecord($0, timeZone: fixture.workspace.timeZone).localTime }
        #expect(noShows.allSatisfy { $0.hasPrefix("2026-11-0") }, "\(noShows)")
    }
}
