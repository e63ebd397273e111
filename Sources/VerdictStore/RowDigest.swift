import GRDBSQLite

/// Digests a batch's stored rows (Core supplies SHA-256). A class, so the writer and the
/// read-back share one without copying.
public protocol RowDigester: AnyObject {
    /// Adds one row's canonical bytes (see `RowEncoding`).
    func add(_ bytes: UnsafeRawBufferPointer)
    /// The digest, as lowercase hex.
    func finish() -> String
}

/// A stored event's canonical bytes for batch digests (docs/audit.md): the columns `event, ts,
/// day, change_id, attributed, version_flag, user_cohort, user_id, status, latency_ms, value,
/// event_id, props, hash`, each as a tag byte and its value: 0 for NULL; 1 and 8 bytes for an
/// integer (little-endian two's complement); 2 and 8 bytes for a real (little-endian IEEE 754);
/// 3, a 4-byte little-endian length and the UTF-8 bytes for text (-0 is written as 0). Binary,
/// so neither writing nor reading back formats numbers. The event as it arrived: a change_id
/// Verdict stamped from the timeline (or `none`) is written as NULL and `attributed` as 0, and a
/// version_flag Verdict took from a customer list as NULL, so stamping events later (a start
/// dated back, a list handed out) leaves the batch's digest as it was.
struct RowEncoding {
    private(set) var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(512)
    }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func null() { bytes.append(0) }

    mutating func integer(_ value: Int64) {
        bytes.append(1)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A real; -0 as 0, since SQLite stores a whole real as an integer on disk and reads -0 back as 0.
    mutating func real(_ value: Double?) {
        guard let value else { return null() }
        bytes.append(2)
        let stored = value == 0 ? 0 : value
        withUnsafeBytes(of: stored.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func text(_ value: String?) {
        guard var value else { return null() }
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    mutating func text(_ utf8: UnsafeRawBufferPointer) {
        bytes.append(3)
        withUnsafeBytes(of: UInt32(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: utf8)
    }

    /// Column `index` of a stepped statement, as stored.
    mutating func column(_ statement: OpaquePointer, _ index: Int32) {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: real(sqlite3_column_double(statement, index))
        case SQLITE_NULL: null()
        default:
            let pointer = sqlite3_column_text(statement, index)
            let count = Int(sqlite3_column_bytes(statement, index))
            text(UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }
}
