import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// Spreadsheet exports arrive in more than one encoding: UTF-8 with a BOM, UTF-16 with its BOM
/// (Excel's "Unicode text"), Windows-1252 (Excel's plain CSV on Windows). All are stored as
/// UTF-8; a file in none of them is refused with what it seems to be and how to pass it.
@Suite struct EncodingTests {
    static let rows = "event,timestamp,user_id,note\r\nquote_viewed,2026-11-03T15:00:00Z,u1,José Peña – “café” €5\r\n"

    func stored(_ fixture: IngestFixture) throws -> [String] {
        try fixture.store.events(EventFilter(), limit: 10).compactMap(\.event.props)
    }

    func write(_ bytes: [UInt8], _ name: String, _ fixture: IngestFixture) throws {
        try Data(bytes).write(to: fixture.folder.url.appendingPathComponent(name))
    }

    static func utf16(_ text: String, littleEndian: Bool, mark: Bool) -> [UInt8] {
        var bytes: [UInt8] = mark ? (littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]) : []
        for unit in text.utf16 {
            let (low, high) = (UInt8(unit & 0xFF), UInt8(unit >> 8))
            bytes += littleEndian ? [low, high] : [high, low]
        }
        return bytes
    }

    /// The rows in Windows-1252, as Excel on Windows saves "CSV".
    static var windows1252: [UInt8] {
        let high: [Character: UInt8] = ["é": 0xE9, "ñ": 0xF1, "–": 0x96, "“": 0x93, "”": 0x94, "€": 0x80]
        return rows.flatMap { character -> [UInt8] in high[character].map { [$0] } ?? Array(String(character).utf8) }
    }

    @Test(arguments: [("le.csv", true), ("be.csv", false)])
    func utf16WithItsMarkIsStoredAsUTF8(name: String, littleEndian: Bool) throws {
        let fixture = try IngestFixture()
        try write(Self.utf16(Self.rows, littleEndian: littleEndian, mark: true), name, fixture)
        let report = try fixture.ingester.ingest(name, relativeTo: fixture.folder.url)
        #expect(report.outcome.stored == 1 && report.outcome.quarantined == 0, "\(report.quarantined)")
        #expect(try stored(fixture) == [#"{"note":"José Peña – “café” €5"}"#])
    }

    @Test func windows1252IsFoundAndStoredAsUTF8() throws {
        let fixture = try IngestFixture()
        try write(Self.windows1252, "excel.csv", fixture)
        let report = try fixture.ingester.ingest("excel.csv", relativeTo: fixture.folder.url)
        #expect(report.outcome.stored == 1, "\(report.quarantined)")
        #expect(try stored(fixture) == [#"{"note":"José Peña – “café” €5"}"#])
        // The same rows in UTF-8 are the same content: already ingested.
        try fixture.folder.write(Self.rows, to: "utf8.csv")
        #expect(try fixture.ingester.ingest("utf8.csv", relativeTo: fixture.folder.url).outcome.alreadyIngested != nil)
    }

    /// Its one accented letter in the last bytes: Windows-1252 still, not UTF-8 cut short; a
    /// UTF-8 character cut short at the end of a block is still UTF-8.
    @Test func theLastBytesCountUnlessCutShort() {
        #expect(TextEncoding.detect(Array("event,timestamp,user_id\r\nx,2026-11-02T10:00:00Z,Zoë\r\n".data(using: .windowsCP1252)!)) == .encoding(.windows1252))
        #expect(TextEncoding.detect(Array("a,Zoë".utf8)) == .encoding(.utf8))
        #expect(TextEncoding.detect(Array("a,Zo€".utf8).dropLast(1).map { $0 }) == .encoding(.utf8))
        #expect(TextEncoding.detect([]) == .encoding(.utf8))
    }

    @Test func aFileInNoneOfThemSaysWhatItSeemsToBe() throws {
        let fixture = try IngestFixture()
        try write(Self.utf16(Self.rows, littleEndian: true, mark: false), "nomark.csv", fixture)
        #expect(throws: IngestError.unreadable(source: "nomark.csv", reason: "looks like UTF-16 (little-endian) without a byte-order mark: pass --encoding utf-16le")) {
            try fixture.ingester.ingest("nomark.csv", relativeTo: fixture.folder.url)
        }
        let forced = try fixture.ingester.ingest("nomark.csv", relativeTo: fixture.folder.url, encoding: .utf16LittleEndian)
        #expect(forced.outcome.stored == 1)
        try write([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 64), "book.csv", fixture)
        let workbook = try #require(throws: IngestError.self) { try fixture.ingester.ingest("book.csv", relativeTo: fixture.folder.url) }
        #expect("\(workbook)".contains("is an Excel workbook (.xlsx)"))
        try write([0x01, 0x00, 0x7F, 0x00, 0x00, 0x00, 0x10, 0x20, 0x00, 0x00], "blob.csv", fixture)
        let blob = try #require(throws: IngestError.self) { try fixture.ingester.ingest("blob.csv", relativeTo: fixture.folder.url) }
        #expect("\(blob)".contains("is not a text file"))
    }

    @Test func namesAsPeopleWriteThem() {
        #expect(TextEncoding(name: "UTF-8") == .utf8)
        #expect(TextEncoding(name: "cp1252") == .windows1252)
        #expect(TextEncoding(name: "Windows-1252") == .windows1252)
        #expect(TextEncoding(name: "UTF-16BE") == .utf16BigEndian)
        #expect(TextEncoding(name: "ebcdic") == nil)
        #expect(TextEncoding.windows1252.utf8([0x80, 0x41, 0xE9]) == Array("€Aé".utf8))
    }
}
