import Foundation
import VerdictStore

/// Finds the quarantined rows of earlier batches that a row being stored fixes, so that
/// `verdict quarantine` lists only what is still to fix.
///
/// A row fixes a quarantined row when it is the same row with at most one field changed: the
/// fields by name (a CSV's columns, a JSON object's members), equal but for one value. That
/// covers the usual fix, the one field the reason names, whether the row comes back in a
/// corrected re-export, a daily export or the file `verdict quarantine --raw` wrote. Rows of
/// plain event files are compared as events (so a CSV fix of a JSON row counts), rows read by an
/// importer as the export's columns.
///
/// Each field is hashed once, and each of a row's "all fields but one" keys is the sum of its
/// other fields' hashes, so a row costs one hash per field however many rows are quarantined;
/// a key that hits is confirmed field by field.
struct QuarantineResolver: Sendable {
    /// A row's fields by name, in a form that compares the same across formats.
    typealias Cells = [String: String]

    private struct Candidate: Sendable {
        var id: Int64
        var cells: Cells
    }

    private var candidates: [Candidate] = []
    private var byKey: [Int: [Int]] = [:]

    /// What rows are compared as: events, or the columns of one importer's export.
    let kind: String

    var isEmpty: Bool { candidates.isEmpty }

    /// A resolver for rows of `kind` (`event`, or `importer:NAME`), over `entries`.
    init(entries: [QuarantineEntry], kind: String) {
        self.kind = kind
        for entry in entries where Self.kind(ofFormat: entry.format) == kind {
            guard let cells = Self.cells(of: entry) else { continue }
            let index = candidates.count
            candidates.append(Candidate(id: entry.id, cells: cells))
            for key in Self.keys(cells) { byKey[key, default: []].append(index) }
        }
    }

    /// `event` for a plain JSON lines or CSV batch, `importer:NAME` for one read by an importer.
    static func kind(ofFormat format: String) -> String {
        format.hasPrefix("csv:") ? "importer:" + format.dropFirst(4) : "event"
    }

    /// The quarantined rows that a stored row with `cells` fixes.
    func resolved(by cells: Cells) -> [Int64] {
        var found: [Int64] = []
        for key in Self.keys(cells) {
            for index in byKey[key] ?? [] where !found.contains(candidates[index].id) {
                if Self.differInAtMostOneField(candidates[index].cells, cells) { found.append(candidates[index].id) }
            }
        }
        return found
    }

    // MARK: cells

    /// An event's fields as cells: each schema field by name, props as one canonical value.
    static func cells(of event: RawEvent) -> Cells {
        var cells: Cells = [:]
        for field in EventField.allCases where field != .hash {
            if let value = event[field] { cells[field.name] = canonical(value) }
        }
        return cells
    }

    /// A CSV record's cells by the header's column names; nil when the counts differ.
    static func cells(header: [String], record: [String]) -> Cells? {
        guard header.count == record.count else { return nil }
        return Dictionary(zip(header, record), uniquingKeysWith: { first, _ in first })
    }

    private static func cells(of entry: QuarantineEntry) -> Cells? {
        var raw = Array(entry.row.raw.utf8)
        while let last = raw.last, last == 0x0A || last == 0x0D { raw.removeLast() }
        return raw.withUnsafeBufferPointer { bytes -> Cells? in
            switch entry.format {
            case "jsonl":
                guard case .success(let event) = JSONLineParser.parse(bytes) else { return nil }
                return cells(of: event)
            default:
                guard let header = entry.header, case .success(let columns) = Array(header.utf8).withUnsafeBufferPointer({ CSV.fields($0) }) else {
                    return nil
                }
                let names = columns.map { $0.trimmingCharacters(in: .whitespaces) }
                if entry.format == "csv" {
                    guard case .success(let event) = IngestPipeline.csvFields(bytes, header: names) else { return nil }
                    return cells(of: event)
                }
                guard case .success(let record) = CSV.fields(bytes) else { return nil }
                return cells(header: names, record: record)
            }
        }
    }

    /// A field value as text that is equal exactly when the values are: `"5"` in a CSV cell and
    /// `5` in JSON are both the number 5 once validated, but here a CSV cell is text, so a fix
    /// that changes the format of a field is that field's one change.
    private static func canonical(_ value: FieldValue) -> String {
        switch value {
        case .text(let text), .string(let text): "s" + text
        case .number(let number): "n" + CanonicalNumber.format(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array(let items): "[" + items.map(canonical).joined(separator: "\u{1F}") + "]"
        case .object(let fields):
            "{" + fields.sorted { $0.0 < $1.0 }.map { $0.0 + "\u{1D}" + canonical($0.1) }.joined(separator: "\u{1F}") + "}"
        }
    }

    // MARK: keys

    /// The "all fields but one" keys of a row, one per field, and the key of all its fields: a
    /// row that lacks a field the other has (a value added or removed) meets it there.
    private static func keys(_ cells: Cells) -> [Int] {
        let hashes = cells.map { name, value in
            var hasher = Hasher()
            hasher.combine(name)
            hasher.combine(value)
            return hasher.finalize()
        }
        let total = hashes.reduce(0, &+)
        return hashes.map { total &- $0 } + [total]
    }

    private static func differInAtMostOneField(_ a: Cells, _ b: Cells) -> Bool {
        var differences = 0
        for name in Set(a.keys).union(b.keys) where a[name] != b[name] {
            differences += 1
            if differences > 1 { return false }
        }
        return true
    }
}
