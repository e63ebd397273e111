import Crypto
import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictStore
import VerdictTestSupport

/// `verdict ingest FILE` without `--importer`: a known export is read by the importer its header
/// fits; two that fit are refused. A batch read through an importer is known by the file and
/// the importer's seal together.
@Suite struct ExportRecognitionTests {
    func sample(_ name: String, into fixture: IngestFixture) throws -> String {
        try fixture.folder.write(try String(contentsOf: Repository.file("experiments/examples/\(name)"), encoding: .utf8), to: name)
        return name
    }

    @Test func eachKnownExportIsReadByItsImporter() throws {
        let fixture = try IngestFixture()
        for (file, importer) in [
            ("jobber-jobs-sample.csv", "jobber"), ("jobber-quotes-sample.csv", "jobber_quotes"),
            ("jobber-invoices-sample.csv", "jobber_invoices"), ("housecall-pro-jobs-sample.csv", "housecall_pro"),
            ("appointments-sample.csv", "appointments"), ("spreadsheet-sample.csv", "spreadsheet"),
        ] {
            let report = try fixture.ingester.ingest(try sample(file, into: fixture), relativeTo: fixture.folder.url)
            #expect(report.importer == importer && report.recognized, "\(file): \(report.importer ?? "no importer")")
            #expect(report.outcome.stored > 0, "\(file)")
        }
        // Verdict's own CSV is read as such, whatever else it has.
        let own = try fixture.ingester.ingest(try sample("jobs-export.csv", into: fixture), relativeTo: fixture.folder.url)
        #expect(own.importer == nil && !own.recognized && own.outcome.stored > 0)
        // The importers of particular software name only the business's events (docs/events.md).
        let names = try fixture.store.countEvents(EventFilter(), groupedBy: [.event]).compactMap {
            $0.keys.first.flatMap { if case .text(let t) = $0 { t } else { nil } }
        }
        let spreadsheetOnly: Set = ["quote_viewed", "reminder_sent"]  // the office's own names, in its sheet
        #expect(names.filter { !EventVocabulary.contains($0) && !spreadsheetOnly.contains($0) }.isEmpty, "\(names)")
    }

    @Test func twoImportersThatFitAreNotGuessedBetween() throws {
        let fixture = try IngestFixture()
        let jobber = try String(contentsOf: Repository.file("plugins/importers/jobber.lua"), encoding: .utf8)
        try fixture.folder.write(jobber, to: "plugins/importers/jobber_mine.lua")
        let name = try sample("jobber-jobs-sample.csv", into: fixture)
        #expect(throws: IngestError.badHeader(
            source: name, reason: "the header fits the importers jobber and jobber_mine; choose one with --importer jobber (or another)")) {
            try fixture.ingester.ingest(name, relativeTo: fixture.folder.url)
        }
        #expect(try fixture.ingester.ingest(name, relativeTo: fixture.folder.url, importer: "jobber_mine").outcome.stored == 7)
        // A header that fits nothing says what it needs.
        try fixture.folder.write("Ticket,Opened\n1,2026-11-02\n", to: "odd.csv")
        let odd = try #require(throws: IngestError.self) { try fixture.ingester.ingest("odd.csv", relativeTo: fixture.folder.url) }
        #expect("\(odd)".contains("it has the required columns of no importer: name one with --importer NAME"), "\(odd)")
    }

    /// An export whose rows went to quarantine because the importer was wrong is read again once
    /// the importer is fixed, and nothing is stored twice; the same file through the same
    /// importer is "already ingested".
    @Test func aFixedImporterReadsTheSameExportAgain() throws {
        let fixture = try IngestFixture()
        let name = try sample("appointments-sample.csv", into: fixture)
        let first = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url)
        #expect(first.outcome.stored == 16 && first.outcome.quarantined == 1)
        let again = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url)
        #expect(again.outcome.alreadyIngested?.batchID == first.outcome.batchID && again.importer == "appointments")
        // The office's copy of the importer knows "on hold".
        let bundled = try String(contentsOf: Repository.file("plugins/importers/appointments.lua"), encoding: .utf8)
        let fixed = bundled.replacingOccurrences(of: #"["rescheduled"] = false,"#, with: #"["rescheduled"] = false, ["on hold"] = false,"#)
        #expect(fixed != bundled)
        try fixture.folder.write(fixed, to: "plugins/importers/appointments.lua")
        let second = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url)
        #expect(second.outcome.alreadyIngested == nil)
        #expect(second.outcome.stored == 1 && second.outcome.duplicates == 16 && second.outcome.quarantined == 0)
        #expect(second.outcome.resolved == 1, "the quarantined row is now stored")
        // The audit record keeps the importer, its seal and the file's own SHA-256.
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records().last { $0.action == "ingest" })
        let details = try #require(try JSONSerialization.jsonObject(with: Data(record.details.utf8)) as? [String: Any])
        #expect(details["importer"] as? String == "appointments" && (details["importer_seal"] as? String)?.count == 64)
        let bytes = try Data(contentsOf: fixture.folder.url.appendingPathComponent(name))
        #expect(details["file_sha256"] as? String == lowercaseHex(SHA256.hash(data: bytes)))
    }
}
