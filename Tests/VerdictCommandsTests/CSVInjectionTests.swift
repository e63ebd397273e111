import Foundation
import Testing
import VerdictTestSupport

/// Exports meant for spreadsheets defuse cells that a spreadsheet would run as formulas (OWASP's
/// CSV injection guidance): anyone holding the website's public ingest token can plant one in a
/// cohort, a user_id, a status or a prop. `quarantine --raw`, meant for re-ingest, stays
/// byte-faithful, and `audit --json` stays exact.
@Suite struct CSVInjectionTests {
    static let planted = #"""
        {"event":"quote_viewed","timestamp":"2026-11-03T15:00:00Z","user_id":"=HYPERLINK(\"http://evil.example\",\"open\")","user_cohort":"@SUM(A1)","status":"+cmd","props":{"note":"-2+3"},"value":-5}
        {"event":"quote_viewed","timestamp":"2026-11-03T15:00:00Z","user_id":"u2","user_cohort":"-1+1"}
        =cmd|' /C calc'!A0,2026-11-03T15:00:00Z
        \#tcmd,2026-11-03T15:00:00Z
        """#

    /// Every cell of a CSV text (RFC 4180: quoted cells may hold commas, quotes and line breaks).
    static func cells(_ csv: String) -> [String] {
        var cells: [String] = [], cell = "", quoted = false, wasQuoted = false
        var characters = Array(csv)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { cell.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    cell.append(c)
                }
            } else if c == "\"" && cell.isEmpty {
                quoted = true
                wasQuoted = true
            } else if c == "," || c == "\r\n" || c == "\n" {
                cells.append(cell)
                cell = ""
                wasQuoted = false
            } else {
                cell.append(c)
            }
        }
        if !cell.isEmpty || wasQuoted { cells.append(cell) }
        return cells
    }

    @Test func formulaCellsAreDefusedAndRawStaysFaithful() throws {
        let folder = try TemporaryFolder()
        func verdict(_ arguments: [String]) throws -> ProcessResult {
            try VerdictProcess.run(arguments, in: folder.url, environment: ["VERDICT_NOW": "2026-11-04T07:00:00-06:00"])
        }
        #expect(try verdict(["init", "."]).status == 0)
        let lines = Self.planted.split(separator: "\n")
        try (lines[0...1].joined(separator: "\n") + "\n").write(to: folder.url.appendingPathComponent("site.jsonl"), atomically: true, encoding: .utf8)
        let csvSource = "event,timestamp\n" + lines[2...3].joined(separator: "\n") + "\n"
        try csvSource.write(to: folder.url.appendingPathComponent("sheet.csv"), atomically: true, encoding: .utf8)
        _ = try verdict(["ingest", "site.jsonl", "--actor", "=actor"])
        _ = try verdict(["ingest", "sheet.csv"])

        let exports = [
            try verdict(["events", "--list", "--csv"]).output, try verdict(["events", "--by", "cohort", "--csv"]).output,
            try verdict(["quarantine", "--all", "--csv"]).output, try verdict(["audit", "--csv"]).output,
        ]
        for export in exports {
            for cell in Self.cells(export) {
                let plainNumber = cell.wholeMatch(of: /[+-]?[0-9]+(\.[0-9]+)?/) != nil
                if let first = cell.first, "=+-@\t\r".contains(first) {
                    #expect(plainNumber, "a cell a spreadsheet would run: \(cell.debugDescription) in\n\(export)")
                }
            }
        }
        let listed = Self.cells(exports[0])
        #expect(listed.contains(#"'=HYPERLINK("http://evil.example","open")"#) && listed.contains("'@SUM(A1)"))
        #expect(listed.contains("'+cmd") && listed.contains("'-1+1") && listed.contains("'=cmd|' /C calc'!A0"))
        #expect(listed.contains("-5.0"), "a negative number stays a number")
        #expect(Self.cells(exports[2]).contains("'\tcmd,2026-11-03T15:00:00Z"), "\(exports[2])")
        #expect(Self.cells(exports[3]).contains("'=actor"))
        // For re-ingest and for checking records: exact.
        let raw = try verdict(["quarantine", "--batch", "2", "--raw"]).output
        #expect(raw == "event,timestamp\n" + lines[3] + "\n", "\(raw.debugDescription)")
        let audit = try JSONSerialization.jsonObject(with: Data(try verdict(["audit", "--json"]).output.utf8))
        #expect("\(audit)".contains("=actor"))
    }
}
