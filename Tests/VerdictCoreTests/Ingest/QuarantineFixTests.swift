import Foundation
import Testing
@testable import VerdictCore
import VerdictStore
import VerdictTestSupport

/// The quarantine fix loop: export the refused rows as a file that ingests again, fix them,
/// ingest; rows stored fixed are no longer listed as still to fix.
@Suite struct QuarantineFixTests {
    static let header = "job_number,event,timestamp,change_id,user_id,value,crew"
    static let good = "J-1,job_completed,2026-11-03T10:00:00-06:00,CHG-0001,cust-1,99.50,crew-a"
    static let bad = "J-2,job_completed,5th Nov 2026 2:30 PM,CHG-0001,cust-2,310.00,crew-b"
    static let fixed = "J-2,job_completed,2026-11-05T14:30:00-06:00,CHG-0001,cust-2,310.00,crew-b"

    func toFix(_ fixture: IngestFixture) throws -> [QuarantineEntry] {
        try fixture.store.quarantine(all: false)
    }

    @Test func rawCSVCarriesItsHeaderAndIngestsAgain() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest([Self.header, Self.good, Self.bad].joined(separator: "\r\n") + "\r\n", as: "jobs.csv")
        let exported = try QuarantineExport.raw(try toFix(fixture))
        #expect(exported == Self.header + "\n" + Self.bad + "\n")
        // Fixed as an owner would, in the exported file, and ingested.
        let report = try fixture.ingest(exported.replacingOccurrences(of: "5th Nov 2026 2:30 PM", with: "2026-11-05T14:30:00-06:00"), as: "fix.csv")
        #expect(report.outcome.stored == 1 && report.outcome.quarantined == 0 && report.outcome.resolved == 1)
        #expect(try toFix(fixture).isEmpty)
        let all = try fixture.store.quarantine(all: true)
        #expect(all.count == 1 && all[0].resolvedBy == 2)
    }

    @Test func aCorrectedReExportResolvesTheRow() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest([Self.header, Self.good, Self.bad].joined(separator: "\n") + "\n", as: "jobs.csv")
        #expect(try toFix(fixture).count == 1)
        let report = try fixture.ingest([Self.header, Self.good, Self.fixed].joined(separator: "\n") + "\n", as: "jobs.csv")
        #expect(report.outcome.resolved == 1 && report.outcome.identical == 1 && report.outcome.stored == 1)
        #expect(try toFix(fixture).isEmpty)
    }

    @Test func aRowThatDiffersInMoreThanTheFixDoesNotResolve() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest([Self.header, Self.bad].joined(separator: "\n") + "\n", as: "jobs.csv")
        // Another job on the same day: a different job number and time.
        let other = "J-3,job_completed,2026-11-05T15:30:00-06:00,CHG-0001,cust-2,310.00,crew-b"
        let report = try fixture.ingest([Self.header, other].joined(separator: "\n") + "\n", as: "more.csv")
        #expect(report.outcome.resolved == 0)
        #expect(try toFix(fixture).count == 1)
    }

    @Test func jsonRowsFixedInAnyFieldResolve() throws {
        let fixture = try IngestFixture()
        let rows = [
            #"{"event":"quote_viewed","timestamp":"2026-11-03 09:12","change_id":"CHG-0001"}"#,
            #"{"event":"appointment_booked","timestamp":"2026-11-04T10:02:00-06:00","latency_ms":"slow"}"#,
            #"{"event":"appointment_booked","timestamp":"2026-11-04T10:02:00-06:00","value":1e999}"#,
        ]
        let first = try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "web.jsonl")
        #expect(first.outcome.quarantined == 3)
        let exported = try QuarantineExport.raw(try toFix(fixture))
        #expect(exported == rows.joined(separator: "\n") + "\n")
        let fixedRows = exported
            .replacingOccurrences(of: "2026-11-03 09:12", with: "2026-11-03T09:12:00-06:00")
            .replacingOccurrences(of: #""latency_ms":"slow""#, with: #""latency_ms":1200"#)
            .replacingOccurrences(of: #","value":1e999"#, with: "")  // the value dropped
        let report = try fixture.ingest(fixedRows, as: "web-fixed.jsonl")
        #expect(report.outcome.stored == 3 && report.outcome.resolved == 3)
        #expect(try toFix(fixture).isEmpty)
    }

    @Test func rowsOfARemovedBatchAreNoLongerToFix() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest([Self.header, Self.bad].joined(separator: "\n") + "\n", as: "jobs.csv")
        _ = try fixture.store.removeBatch(1, at: 0)
        #expect(try toFix(fixture).isEmpty)
    }

    @Test func rowsOfDifferentFilesCannotMakeOneFile() throws {
        let fixture = try IngestFixture()
        _ = try fixture.ingest([Self.header, Self.bad].joined(separator: "\n") + "\n", as: "jobs.csv")
        _ = try fixture.ingest(#"{"event":"x","timestamp":"nope"}"# + "\n", as: "web.jsonl")
        #expect(throws: QuarantineExport.MixedSources.self) { try QuarantineExport.raw(try toFix(fixture)) }
        #expect(try QuarantineExport.raw(try fixture.store.quarantine(batch: 2, all: false)) == #"{"event":"x","timestamp":"nope"}"# + "\n")
    }
}
