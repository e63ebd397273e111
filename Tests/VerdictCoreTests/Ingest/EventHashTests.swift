import Crypto
import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// The integrity token matches docs/events.md, whose examples were computed independently.
@Suite struct EventHashTests {
    @Test func documentedExamples() throws {
        let fixture = try IngestFixture()
        let example1 = #"{"event":"appointment_booked","timestamp":"2026-11-02T14:05:00-06:00","change_id":"CHG-0007","version_flag":"on","user_cohort":"new_customer","user_id":"cust-1042","status":"success","latency_ms":182,"value":245.50,"event_id":"web-7f3a9c","props":{"zip":"60614","crew":3}}"#
        let example2 = #"{"event":"quote_requested","timestamp":"2026-11-03T08:00:00Z"}"#
        try fixture.ingest(example1 + "\n" + example2 + "\n", as: "examples.jsonl")
        let hashes = try fixture.store.events(EventFilter(), limit: 10).map(\.event.hash)
        #expect(hashes == ["6a186e412d93", "0f6b4edb3f0c"])

        // The same tokens, given with the events, are accepted; a changed field is not.
        let withTokens = try fixture.ingest(
            example2.dropLast() + #","hash":"0f6b4edb3f0c"}"# + "\n"
                + example2.replacingOccurrences(of: "08:00", with: "08:01").dropLast() + #","hash":"0f6b4edb3f0c"}"# + "\n",
            as: "tokens.jsonl")
        // Accepted, and then skipped: the first is the event example2 stored already.
        #expect(withTokens.outcome.stored == 0 && withTokens.outcome.identical == 1)
        #expect(withTokens.outcome.quarantined == 1)
    }

    @Test func csvAndJSONGiveTheSameToken() throws {
        let json = try IngestFixture(), csv = try IngestFixture()
        try json.ingest(
            #"{"event":"job_completed","timestamp":"2026-11-04T10:00:00-06:00","value":310,"props":{"crew":"3"}}"# + "\n",
            as: "a.jsonl")
        try csv.ingest("event,timestamp,value,crew\njob_completed,2026-11-04T10:00:00-06:00,310.00,3\n", as: "b.csv")
        let hashes = try [json, csv].flatMap { try $0.store.events(EventFilter(), limit: 10).map(\.event.hash) }
        #expect(hashes.count == 2)
        #expect(hashes[0] == hashes[1])
        // The same event, so ingesting the CSV into the JSON's store skips it as identical.
        #expect(try json.ingest("event,timestamp,value,crew\njob_completed,2026-11-04T10:00:00-06:00,310.00,3\n", as: "b.csv").outcome.identical == 1)
    }

    /// Numbers in the canonical form are ECMAScript's String(x).
    static let numbers: [(Double, String)] = [
        (182, "182"), (245.5, "245.5"), (0, "0"), (-0.0, "0"), (-3, "-3"), (0.1, "0.1"), (0.000001, "0.000001"),
        (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (123456789.125, "123456789.125"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.30000000000000004, "0.30000000000000004"), (1e15, "1000000000000000"), (123e-20, "1.23e-18"),
    ]

    @Test(arguments: numbers)
    func canonicalNumber(value: Double, text: String) throws {
        let fixture = try IngestFixture()
        let line = #"{"event":"e","timestamp":"2026-11-03T10:00:00Z","value":\#(value)}"#
        let expected = try #require(
            try fixture.ingest(line + "\n", as: "n.jsonl").quarantined.isEmpty
                ? fixture.store.events(EventFilter(), limit: 1).first?.event.hash : nil)
        // The token equals the one of the canonical form written with the expected text.
        let canonical = "e\u{1F}2026-11-03T10:00:00Z\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\u{1F}\(text)\u{1F}\u{1F}"
        #expect(expected == sha256Prefix(canonical))
    }
}

/// The first 12 hex digits of SHA-256 over `text`, straight from swift-crypto.
func sha256Prefix(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(12).description
}
