import Foundation

/// One record of an input: where its bytes are, and the line it starts on.
struct Record {
    var start: Int
    var end: Int  // excludes the line break
    var line: Int
}

/// Splits a stream of bytes into records as blocks arrive: lines for JSON lines, and for CSV
/// lines outside quoted fields (a quoted field may hold line breaks). It scans each byte once,
/// keeping its state (inside quotes, where the pending record began) from block to block.
struct RecordSplitter {
    let isCSV: Bool
    private var inQuotes = false
    /// Where the record not yet ended begins, in the caller's buffer.
    private(set) var pendingStart = 0
    private var pendingLine = 1
    private var line = 1

    init(isCSV: Bool) {
        self.isCSV = isCSV
    }

    /// Scans `buffer[from...]`, appending each record that ends there.
    mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, into records: inout [Record]) {
        guard let base = buffer.baseAddress else { return }
        var i = from
        let count = buffer.count
        if !isCSV {
            while i < count {
                guard let found = memchr(base + i, 0x0A, count - i) else { return }
                let newline = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                endRecord(buffer, at: newline, into: &records)
                i = newline + 1
            }
            return
        }
        while i < count {
            let byte = buffer[i]
            if byte == 0x22 {
                inQuotes.toggle()
            } else if byte == 0x0A {
                if inQuotes {
                    line += 1
                } else {
                    endRecord(buffer, at: i, into: &records)
                }
            }
            i += 1
        }
    }

    private mutating func endRecord(_ buffer: UnsafeBufferPointer<UInt8>, at newline: Int, into records: inout [Record]) {
        let end = newline > pendingStart && buffer[newline - 1] == 0x0D ? newline - 1 : newline
        records.append(Record(start: pendingStart, end: end, line: pendingLine))
        line += 1
        pendingStart = newline + 1
        pendingLine = line
    }

    /// Ends the input: the bytes after the last line break are a record too.
    mutating func finish(_ buffer: UnsafeBufferPointer<UInt8>, into records: inout [Record]) {
        guard pendingStart < buffer.count else { return }
        let end = buffer[buffer.count - 1] == 0x0D ? buffer.count - 1 : buffer.count
        records.append(Record(start: pendingStart, end: end, line: pendingLine))
        pendingStart = buffer.count
    }

    /// The caller dropped `count` bytes from the front of its buffer.
    mutating func shift(by count: Int) {
        pendingStart -= count
    }

    /// Whether the input so far ends inside a quoted CSV field.
    var isInsideQuotes: Bool { inQuotes }
}
