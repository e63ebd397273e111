/// The text encodings `verdict ingest` reads. Everything is stored as UTF-8.
///
/// Spreadsheets write CSV in more than one: Excel's "CSV UTF-8" has a byte-order mark, its
/// "Unicode text" is UTF-16 with one, and its plain "CSV" on Windows is Windows-1252.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LittleEndian = "utf-16le"
    case utf16BigEndian = "utf-16be"
    case windows1252 = "windows-1252"

    /// Reads a name as `--encoding` takes it (`UTF-8`, `utf8`, `cp1252`, `latin1` ...).
    public init?(name: String) {
        let key = name.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "utf8": self = .utf8
        case "utf16le", "utf16", "unicode": self = .utf16LittleEndian
        case "utf16be": self = .utf16BigEndian
        case "windows1252", "cp1252", "win1252", "latin1", "iso88591", "ansi": self = .windows1252
        default: return nil
        }
    }

    /// What the first bytes of an input say about its encoding.
    public enum Detection: Sendable, Equatable {
        case encoding(TextEncoding)
        /// None that Verdict reads: why, and what to do.
        case unreadable(String)
    }

    /// The encoding of an input from its first bytes (up to `IngestPipeline.blockSize`): a
    /// byte-order mark decides; else valid UTF-8 is UTF-8; else bytes that only Windows-1252
    /// gives meaning to are Windows-1252. NUL bytes are not text in any of them: UTF-16 without
    /// its mark, an Excel workbook or another binary file, each said in words.
    public static func detect(_ first: [UInt8]) -> Detection {
        if first.starts(with: [0xEF, 0xBB, 0xBF]) { return .encoding(.utf8) }
        if first.starts(with: [0xFF, 0xFE]) { return .encoding(.utf16LittleEndian) }
        if first.starts(with: [0xFE, 0xFF]) { return .encoding(.utf16BigEndian) }
        if first.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return .unreadable(
                "is an Excel workbook (.xlsx) or another zip file, not a CSV file: in Excel, File > Save As > \"CSV UTF-8\", and give Verdict that file")
        }
        let sample = first.prefix(4096)
        let nulls = sample.filter { $0 == 0 }.count
        if nulls > 0 {
            let evens = stride(from: 0, to: sample.count, by: 2).filter { sample[sample.startIndex + $0] == 0 }.count
            let odds = nulls - evens
            if odds > sample.count / 4 && evens == 0 {
                return .unreadable("looks like UTF-16 (little-endian) without a byte-order mark: pass --encoding utf-16le")
            }
            if evens > sample.count / 4 && odds == 0 {
                return .unreadable("looks like UTF-16 (big-endian) without a byte-order mark: pass --encoding utf-16be")
            }
            return .unreadable("is not a text file (it holds NUL bytes); verdict ingest reads JSON lines or CSV in UTF-8, UTF-16 or Windows-1252")
        }
        // A block may end inside a character: a sequence cut short at its end does not count.
        return .encoding(isValidUTF8(Array(first.prefix(completeLength(first)))) ? .utf8 : .windows1252)
    }

    /// How many of `bytes` remain once a UTF-8 sequence cut short at the end is left off: a lead
    /// byte in the last three followed only by continuation bytes, fewer than it announces. Any
    /// other ending counts whole (a Windows-1252 "ë" at the very end is not UTF-8 cut short).
    static func completeLength(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        for back in 1...min(3, bytes.count) {
            let byte = bytes[bytes.count - back]
            if byte & 0xC0 == 0x80 { continue }  // a continuation byte: look further back
            let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return needed > back ? bytes.count - back : bytes.count
        }
        return bytes.count
    }

    /// `bytes` as UTF-8, without a byte-order mark.
    public func utf8(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .utf8:
            return bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        case .utf16LittleEndian, .utf16BigEndian:
            let little = self == .utf16LittleEndian
            var start = 0
            if bytes.count >= 2, (little && bytes[0] == 0xFF && bytes[1] == 0xFE) || (!little && bytes[0] == 0xFE && bytes[1] == 0xFF) {
                start = 2
            }
            var units: [UInt16] = []
            units.reserveCapacity((bytes.count - start) / 2)
            var index = start
            while index + 1 < bytes.count {
                let (a, b) = (UInt16(bytes[index]), UInt16(bytes[index + 1]))
                units.append(little ? a | b << 8 : a << 8 | b)
                index += 2
            }
            return Array(String(decoding: units, as: UTF16.self).utf8)
        case .windows1252:
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 8)
            for byte in bytes {
                let scalar: UInt32 = byte < 0x80 || byte >= 0xA0 ? UInt32(byte) : Self.windows1252High[Int(byte - 0x80)]
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            }
            return out
        }
    }

    /// Windows-1252's 0x80...0x9F; its five unassigned bytes are kept as the C1 controls
    /// Latin-1 gives them.
    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { UTF8Check.isValid($0) }
    }
}
