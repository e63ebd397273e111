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
}
