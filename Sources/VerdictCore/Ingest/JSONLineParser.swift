import Foundation

/// Parses one line of JSON lines into the fields of its object.
///
/// A small RFC 8259 parser working on the line's bytes: an event is a flat object (plus its
/// `props`), so a general-purpose decoder would spend most of its time on generality. Errors
/// name the 1-based column, as `malformed JSON at column 17: expected ':' after a field name`.
struct JSONLineParser {
    struct Failure: Error, Equatable {
        var message: String
    }

    /// How deep a line's objects and arrays may nest.
    static let maximumDepth = 16

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The fields of the event object on the line, by schema slot.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> Result<RawEvent, Failure> {
        guard UTF8Check.isValid(line) else { return .failure(Failure(message: "the line is not valid UTF-8")) }
        var parser = JSONLineParser(line)
        do {
            parser.skipWhitespace()
            guard parser.i < line.count else { throw parser.fail("the line is empty") }
            guard line[parser.i] == UInt8(ascii: "{") else {
                let kind = parser.peekKind()
                throw Failure(message: "expected a JSON object, got \(kind)")
            }
            let event = try parser.eventObject()
            parser.skipWhitespace()
            guard parser.i == line.count else { throw parser.fail("unexpected text after the object") }
            return .success(event)
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(message: "malformed JSON"))
        }
    }

    private func fail(_ message: String) -> Failure {
        Failure(message: "malformed JSON at column \(i + 1): \(message)")
    }

    private func peekKind() -> String {
        switch bytes[i] {
        case UInt8(ascii: "["): "an array"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        default: "something else"
        }
    }

    private mutating func skipWhitespace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D, 0x0A: i += 1
            default: return
            }
        }
    }

    private mutating func value() throws -> FieldValue {
        skipWhitespace()
        guard i < bytes.count else { throw fail("the line ends where a value should be") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw fail("expected \(word)") }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] {
            throw fail("expected \(word)")
        }
        i += count
    }

    /// The top-level object: keys matched to schema slots without making Strings of them.
    private mutating func eventObject() throws -> RawEvent {
        var event = RawEvent()
        i += 1  // {
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return event
        }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a field name in double quotes") }
            let keyStart = i + 1
            var field: EventField?
            var keyText: String?
            if let close = plainStringEnd(from: keyStart) {
                field = EventField.named(UnsafeBufferPointer(rebasing: bytes[keyStart..<close]))
                if field == nil { keyText = String(decoding: UnsafeBufferPointer(rebasing: bytes[keyStart..<close]), as: UTF8.self) }
                i = close + 1
            } else {
                let key = try string()
                field = EventField.named(key)
                keyText = key
            }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a field name") }
            i += 1
            let parsed = try value()
            if let field {
                event.set(field, parsed)
            } else if event.unknownField == nil {
                event.unknownField = keyText
            }
            if try moreMembers(before: "}") { continue }
            return event
        }
    }

    /// After a member of an object (`closer` "}") or an item of an array ("]"): true past a `,`
    /// (another follows), false past the closer (the container ends).
    private mutating func moreMembers(before closer: Unicode.Scalar) throws -> Bool {
        skipWhitespace()
        guard i < bytes.count else {
            throw fail("the line ends inside \(closer == "}" ? "an object" : "an array") (missing '\(closer)')")
        }
        let more = bytes[i] == UInt8(ascii: ",")
        guard more || bytes[i] == UInt8(ascii: closer) else { throw fail("expected ',' or '\(closer)'") }
        if more {
            let comma = i
            i += 1
            skipWhitespace()
            if i < bytes.count, bytes[i] == UInt8(ascii: closer) {
                throw fail("a comma before '\(closer)': JSON allows no trailing comma; remove the ','")
            }
            i = comma
        }
        i += 1
        return more
    }

    /// The index of the closing quote of a string starting at `start` that has no escapes.
    private func plainStringEnd(from start: Int) -> Int? {
        var k = start
        while k < bytes.count {
            let byte = bytes[k]
            if byte == UInt8(ascii: "\"") { return k }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            k += 1
        }
        return nil
    }

    private mutating func object() throws -> FieldValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nested too deeply") }
        defer { depth -= 1 }
        i += 1  // {
        var fields: [(String, FieldValue)] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a field name in double quotes") }
            let key = try string()
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a field name") }
            i += 1
            fields.append((key, try value()))
            if try moreMembers(before: "}") { continue }
            return .object(fields)
        }
    }

    private mutating func array() throws -> FieldValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nested too deeply") }
        defer { depth -= 1 }
        i += 1  // [
        var items: [FieldValue] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            if try moreMembers(before: "]") { continue }
            return .array(items)
        }
    }

    private mutating func string() throws -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in a string (escape it)") }
            i += 1
        }
        var scalars = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return scalars
            }
            if byte < 0x20 { throw fail("control character in a string (escape it)") }
            if byte != UInt8(ascii: "\\") {
                // Copy a run of plain bytes.
                let runStart = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
                scalars += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<i]), as: UTF8.self)
                continue
            }
            i += 1
            guard i < bytes.count else { break }
            let escape = bytes[i]
            i += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw fail("unpaired surrogate in \\u escape")
                }
                scalars.unicodeScalars.append(Unicode.Scalar(code)!)
            default:
                i -= 2  // point at the backslash
                throw fail("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
        throw fail("the line ends inside a string (missing '\"')")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("\\u needs four hex digits") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("\\u needs four hex digits")
            }
            code = code * 16 + UInt32(digit)
            i += 1
        }
        return code
    }

    private mutating func number() throws -> Double {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else { throw fail("expected a digit") }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if i < bytes.count, isDigit(bytes[i]) { throw fail("numbers cannot have leading zeros") }
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("expected a digit after '.'") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else { throw fail("expected a digit in the exponent") }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        return DecimalText.double(UnsafeBufferPointer(rebasing: bytes[start..<i]))
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

/// Decimal text to Double: exact integers and short decimals directly, the rest through strtod.
enum DecimalText {
    private static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The double nearest to grammatically valid decimal text.
    static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        var negative = false
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var index = 0
        if index < text.count, text[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var seenPoint = false
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else if byte >= 0x30 && byte <= 0x39 {
                if mantissa != 0 || byte != 0x30 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(byte - 0x30)
                if seenPoint { scale += 1 }
            } else {
                break  // an exponent: take the slow path
            }
            index += 1
        }
        // Clinger's fast path: an exact mantissa and an exact power of ten give a correctly rounded quotient.
        if index == text.count, digits <= 15, scale <= 22 {
            let value = Double(mantissa) / powers[scale]
            return negative ? -value : value
        }
        return text.withMemoryRebound(to: CChar.self) { chars in
            var buffer = [CChar](chars)
            buffer.append(0)
            return strtod(buffer, nil)
        }
    }
}

/// UTF-8 validation with an ASCII fast path.
enum UTF8Check {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let count = bytes.count
        while i < count {
            // Eight ASCII bytes at a time.
            if i + 8 <= count {
                let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
            }
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: return false
            }
            guard i + length <= count else { return false }
            for k in 1..<length {
                let next = bytes[i + k]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            i += length
        }
        return true
    }
}

/// How deeply a JSON text nests its arrays and objects, read without parsing it (strings
/// skipped), stopping past `limit`: a body is checked before any parser, recursive or not,
/// meets it.
public enum JSONNesting {
    /// Whether `data` nests deeper than `limit`.
    public static func exceeds(_ data: Data, limit: Int) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return false
    }
}
