import Foundation

/// A request body of events (`POST /v1/events`) as the JSON lines ingest reads.
///
/// JSON lines are taken as they are: each line is one event, and a line that is not one goes to
/// quarantine with its number, as `verdict ingest` does. A JSON array becomes one line per
/// element, numbered as lines are (element 1 is line 1), each element's text kept as sent (no
/// number is rewritten), so an event stores the same whichever way it came.
///
/// A body that is neither is refused whole, naming the line and column where it breaks: one
/// that does not start with `{` or `[`, an array whose elements are not separated by commas,
/// that is not closed, or that has text after it.
enum EventBody {
    /// An element nests at most as deep as a line may (the array is one more).
    static let maximumDepth = JSONLineParser.maximumDepth

    static func lines(_ body: Data, source: String) throws -> [UInt8] {
        try body.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
            var scanner = Scanner(bytes: bytes, position: start, source: source)
            scanner.skipWhitespace()
            guard scanner.position < bytes.count else { return [] }
            switch bytes[scanner.position] {
            case UInt8(ascii: "{"): return Array(bytes[start...])
            case UInt8(ascii: "["): return try scanner.array()
            default:
                throw scanner.failure("expected JSON lines (an object per line) or a JSON array of events")
            }
        }
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position: Int
        let source: String

        static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

        mutating func skipWhitespace() {
            while position < bytes.count, Self.whitespace.contains(bytes[position]) { position += 1 }
        }

        /// The line and column of `at` (1-based), for a message.
        func failure(_ reason: String, at: Int? = nil) -> IngestError {
            let at = min(at ?? position, bytes.count)
            var line = 1, lineStart = 0
            for index in 0..<at where bytes[index] == 0x0A {
                line += 1
                lineStart = index + 1
            }
            return IngestError.unreadable(source: "\(source):\(line):\(at - lineStart + 1)", reason: reason)
        }

        /// The array's elements, a line each; `position` is at its `[`.
        mutating func array() throws -> [UInt8] {
            var lines: [UInt8] = []
            lines.reserveCapacity(bytes.count)
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return try end(lines)
            }
            while true {
                skipWhitespace()
                guard position < bytes.count else { throw failure("the array is not closed (a ] is missing)") }
                let first = bytes[position]
                if first == UInt8(ascii: "]") && !lines.isEmpty {
                    throw failure("a comma after the last event: remove the , before this ] (JSON allows no trailing comma)")
                }
                if first == UInt8(ascii: ",") || first == UInt8(ascii: "]") {
                    throw failure("expected an event before this \(Character(UnicodeScalar(first)))")
                }
                try element(into: &lines)
                lines.append(0x0A)
                skipWhitespace()
                guard position < bytes.count else { throw failure("the array is not closed (a ] is missing)") }
                switch bytes[position] {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return try end(lines)
                default: throw failure("expected , or ] after an event")
                }
            }
        }

        /// Only whitespace may follow the array.
        mutating func end(_ lines: [UInt8]) throws -> [UInt8] {
            skipWhitespace()
            guard position == bytes.count else { throw failure("text after the array's closing ]") }
            return lines
        }

        /// Copies one element (its text, line breaks between tokens made spaces) and moves past
        /// it. Its own syntax is the line parser's to judge; only where it ends is found here.
        mutating func element(into lines: inout [UInt8]) throws {
            let start = position
            var depth = 0
            var inString = false, escaped = false
            while position < bytes.count {
                let byte = bytes[position]
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    } else if byte == 0x0A {
                        throw failure("a string is not closed before the line ends", at: position)
                    }
                    lines.append(byte)
                    position += 1
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth > EventBody.maximumDepth {
                        throw failure("nests deeper than an event may (\(EventBody.maximumDepth) levels inside the array)")
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return }  // the array's own ]
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 { return }
                case 0x0A, 0x0D:
                    lines.append(0x20)
                    position += 1
                    continue
                default: break
                }
                lines.append(byte)
                position += 1
                if depth == 0 && (byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")) { return }
            }
            if inString { throw failure("a string is not closed", at: start) }
            if depth > 0 { throw failure("the array is not closed (a ] is missing)") }
        }
    }
}
