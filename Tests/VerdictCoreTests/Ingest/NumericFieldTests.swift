import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// Every place a number enters the store — latency_ms, value and numeric props, through JSON
/// lines, CSV and importers — takes only a finite number, and quarantines anything else with a
/// reason that names the field.
@Suite struct NumericFieldTests {
    static let base = #""event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z""#

    /// JSON lines: what each number field does with each input (nil: stored).
    static let json: [(String, String?)] = [
        (#""value":1e999"#, "value: infinity is not a finite number"),
        (#""value":-1e999"#, "value: -infinity is not a finite number"),
        (#""latency_ms":1e309"#, "latency_ms: infinity is not a finite number"),
        (#""props":{"distance":1e999}"#, "props.distance: infinity is not a finite number"),
        (#""value":"12""#, #"value: expected a number, got string "12""#),
        (#""value":true"#, "value: expected a number, got boolean true"),
        (#""value":null"#, nil),
        (#""value":1.7976931348623157e308"#, nil),
        (#""value":5e-324"#, nil),
        (#""value":-0"#, nil),
        (#""latency_ms":0"#, nil),
        (#""props":{"distance":12.5}"#, nil),
    ]

    /// CSV cells of the value column.
    static let csv: [(String, String?)] = [
        ("1e999", #"value: 1e999 is not a finite number"#),
        ("-1e999", #"value: -1e999 is not a finite number"#),
        ("0x10", #"value: "0x10" is not a number"#),
        ("inf", #"value: "inf" is not a number"#),
        ("-infinity", #"value: "-infinity" is not a number"#),
        ("nan", #"value: "nan" is not a number"#),
        ("1,000", "is not a number"),
        ("$5", #"value: "$5" is not a number"#),
        ("12abc", #"value: "12abc" is not a number"#),
        ("1e", #"value: "1e" is not a number"#),
        ("e5", #"value: "e5" is not a number"#),
        (".", #"value: "." is not a number"#),
        ("+5", nil), (".5", nil), ("5.", nil), ("245.50", nil), ("1.5e3", nil), ("-0", nil), (" 12 ", nil),
    ]

    @Test func jsonNumbers() throws {
        let fixture = try IngestFixture()
        for (index, (extra, reason)) in Self.json.enumerated() {
            let report = try fixture.ingest("{\(Self.base),\"user_id\":\"c\(index)\",\(extra)}\n", as: "n-\(UUID().uuidString).jsonl")
            if let reason {
                #expect(report.outcome.stored == 0, "\(extra) was stored")
                #expect(report.quarantined.first?.reason.hasPrefix(reason) == true, "\(extra): \(report.quarantined.first?.reason ?? "stored")")
            } else {
                #expect(report.outcome.stored == 1, "\(extra): \(report.quarantined.first?.reason ?? "")")
            }
        }
        // Nothing non-finite is in the store.
        let values = try fixture.store.events(EventFilter(), limit: 100).flatMap { [$0.event.value, $0.event.latencyMs] }.compactMap { $0 }
        #expect(values.allSatisfy { $0.isFinite })
    }

    @Test func csvCells() throws {
        let fixture = try IngestFixture()
        for (index, (cell, reason)) in Self.csv.enumerated() {
            let quoted = cell.contains(",") ? "\"\(cell)\"" : cell
            let report = try fixture.ingest(
                "event,timestamp,user_id,value\nquote_viewed,2026-11-03T10:00:00Z,c\(index),\(quoted)\n", as: "n-\(UUID().uuidString).csv")
            if let reason {
                #expect(report.outcome.stored == 0, "\(cell) was stored")
                #expect(report.quarantined.first?.reason.contains(reason) == true, "\(cell): \(report.quarantined.first?.reason ?? "stored")")
            } else {
                #expect(report.outcome.stored == 1, "\(cell): \(report.quarantined.first?.reason ?? "")")
            }
        }
    }

    @Test func importerNumbers() throws {
        let fixture = try IngestFixture()
        try fixture.folder.write(
            """
            return importer {
              columns = { "kind" },
              map = function(row)
                local numbers = { inf = 1/0, ninf = -1/0, nan = 0/0, text = "12", ok = 12.5, int = 7 }
                local event = { event = "job_completed", timestamp = "2026-11-03T10:00:00Z" }
                if row.kind:sub(1, 5) == "prop-" then
                  event.props = { miles = numbers[row.kind:sub(6)] }
                else
                  event.value = numbers[row.kind]
                end
                return event
              end,
            }
            """, to: "plugins/importers/numbers.lua")
        let cases: [(String, String?)] = [
            ("inf", "value: infinity is not a finite number"), ("ninf", "value: -infinity is not a finite number"),
            ("nan", "value: NaN is not a finite number"), ("text", #"value: expected a number, got string "12""#),
            ("prop-inf", "props.miles: infinity is not a finite number"), ("prop-nan", "props.miles: NaN is not a finite number"),
            ("ok", nil), ("int", nil), ("prop-ok", nil),
        ]
        for (kind, reason) in cases {
            let name = "n-\(UUID().uuidString).csv"
            try fixture.folder.write("kind\n\(kind)\n", to: name)
            defer { _ = try? fixture.store.removeBatch(fixture.store.batches().last!.id, at: 0) }
            let report = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url, importer: "numbers")
            if let reason {
                #expect(report.quarantined.first?.reason.hasPrefix(reason) == true, "\(kind): \(report.quarantined.first?.reason ?? "stored")")
            } else {
                #expect(report.outcome.stored == 1, "\(kind): \(report.quarantined.first?.reason ?? "")")
            }
        }
    }
}
