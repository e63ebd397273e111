import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// Each validation rule, with the message a person reads.
@Suite struct ValidationTests {
    static let base = #""event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z""#

    static let rules: [(line: String, reason: String)] = [
        (#"{"timestamp":"2026-11-03T10:00:00Z"}"#, #"missing required field "event""#),
        (#"{"event":"quote_viewed"}"#, #"missing required field "timestamp""#),
        (#"{"event":5,"timestamp":"2026-11-03T10:00:00Z"}"#, "event: expected a string, got number 5"),
        (#"{"event":"","timestamp":"2026-11-03T10:00:00Z"}"#, "event: is empty; leave the field out instead"),
        (#"{"event":"a\tb","timestamp":"2026-11-03T10:00:00Z"}"#, "event: contains a control character"),
        (#"{"event":"quote_viewed","timestamp":"2026-13-02T10:00:00Z"}"#, #"timestamp "2026-13-02T10:00:00Z" is not ISO 8601: there is no month 13"#),
        (#"{"event":"quote_viewed","timestamp":"2026-02-30T10:00:00Z"}"#, #"timestamp "2026-02-30T10:00:00Z" is not ISO 8601: month 2 of 2026 has no day 30"#),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03T24:00:00Z"}"#, #"timestamp "2026-11-03T24:00:00Z" is not ISO 8601: 24:0:0 is not a time of day"#),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00"}"#, #"timestamp "2026-11-03T10:00:00" has no UTC offset; add Z or an offset such as -06:00"#),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03"}"#, #"timestamp "2026-11-03" has no UTC offset; add Z or an offset such as -06:00"#),
        (#"{"event":"quote_viewed","timestamp":"11/03/2026 10:00"}"#, #"timestamp "11/03/2026 10:00" is not ISO 8601 (such as 2026-11-02T14:05:00-06:00)"#),
        (#"{"event":"quote_viewed","timestamp":"0026-11-03T10:00:00Z"}"#, #"timestamp "0026-11-03T10:00:00Z" is outside the years 1900 to 2999"#),
        (#"{"event":"quote_viewed","timestamp":1762164000}"#, "timestamp: expected a string, got number 1762164000"),
        ("{\(base),\"latency_ms\":-4}", "latency_ms: -4 is negative; a latency is 0 or more"),
        ("{\(base),\"latency_ms\":\"fast\"}", #"latency_ms: expected a number, got string "fast""#),
        ("{\(base),\"value\":true}", "value: expected a number, got boolean true"),
        ("{\(base),\"change_id\":[\"CHG-0007\"]}", "change_id: expected a string, got an array"),
        ("{\(base),\"change_id\":\"\(String(repeating: "x", count: 65))\"}", "change_id: longer than 64 bytes"),
        ("{\(base),\"colour\":\"red\"}", #"unknown field "colour"; put extra attributes under props"#),
        ("{\(base),\"evnt_id\":\"x\"}", #"unknown field "evnt_id" (did you mean "event_id"?); put extra attributes under props"#),
        ("{\(base),\"event\":\"again\"}", #"field "event" appears twice"#),
        ("{\(base),\"props\":{\"crew\":{\"id\":3}}}", "props.crew: expected a string or a number, got an object; props are flat"),
        ("{\(base),\"props\":[1]}", "props: expected an object of strings and numbers, got an array"),
        ("{\(base),\"props\":{\"a\":1,\"a\":2}}", "props.a: appears twice"),
        ("{\(base),\"hash\":\"000000000000\"}", #"hash "000000000000" does not match the event (its canonical form hashes to caeb0ba92643); see docs/events.md"#),
        (#"{"event":"quote_viewed" "timestamp":"2026-11-03T10:00:00Z"}"#, "malformed JSON at column 25: expected ',' or '}'"),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z""#, "malformed JSON at column 59: the line ends inside an object (missing '}')"),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z"} x"#, "malformed JSON at column 61: unexpected text after the object"),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z",}"#, "malformed JSON at column 60: a comma before '}': JSON allows no trailing comma; remove the ','"),
        (#"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z","props":{"a":1, }}"#, "malformed JSON at column 76: a comma before '}': JSON allows no trailing comma; remove the ','"),
        (#"{"event":"quote\x","timestamp":"2026-11-03T10:00:00Z"}"#, #"malformed JSON at column 16: invalid escape '\x'"#),
        (#"{"event":"q","timestamp":"2026-11-03T10:00:00Z","value":01}"#, "malformed JSON at column 58: numbers cannot have leading zeros"),
        (#"[{"event":"q"}]"#, "expected a JSON object, got an array"),
        (#""just text""#, "expected a JSON object, got a string"),
    ]

    @Test(arguments: rules)
    func ruleHasItsMessage(line: String, reason: String) throws {
        let fixture = try IngestFixture()
        #expect(try fixture.reason(forLine: line) == reason)
    }

    @Test func invalidUTF8IsQuarantined() throws {
        let fixture = try IngestFixture()
        var bytes = Array(#"{"event":"quote_viewed","timestamp":"2026-11-03T10:00:00Z","user_id":"x"#.utf8)
        bytes += [0xFF, 0xFE] + Array("\"}\n".utf8)
        try Data(bytes).write(to: fixture.folder.url.appendingPathComponent("bad.jsonl"))
        let report = try fixture.ingester.ingest("bad.jsonl", relativeTo: fixture.folder.url)
        #expect(report.quarantined.first?.reason == "the line is not valid UTF-8")
    }

    @Test func acceptedShapes() throws {
        let fixture = try IngestFixture()
        let lines = [
            #"{"event":"a","timestamp":"2026-11-03T10:00Z"}"#,
            #"{"event":"a","timestamp":"2026-11-03 10:00:00.123456+05:30"}"#,
            #"{"event":"a","timestamp":"2026-11-03T10:00:00-0600"}"#,
            #"{"event":"a","timestamp":"2026-11-03T10:00:00-06"}"#,
            #"  { "event" : "a\u00e9\ud83d\ude00" , "timestamp" : "2026-11-03T10:00:00z", "change_id": null, "value": -1.5e2 }  "#,
            #"{"event":"a","timestamp":"2026-11-03T10:00:00Z","props":{"zip":"60614","crew":3,"note":"a\"b"}}"#,
        ]
        let report = try fixture.ingest(lines.joined(separator: "\n") + "\n", as: "ok.jsonl")
        #expect(report.outcome.quarantined == 0, "\(report.quarantined)")
        #expect(report.outcome.stored == lines.count)
        let events = try fixture.store.events(EventFilter(), limit: 10).map(\.event)
        #expect(events.contains { $0.event == "aé😀" && $0.value == -150 && $0.changeID == "none" && !$0.attributed })
        #expect(events.contains { $0.props == #"{"crew":3,"note":"a\"b","zip":"60614"}"# })
        #expect(events.contains { $0.timestamp == 1_793_680_200_123 })  // 10:00:00.123 at +05:30
    }
}
