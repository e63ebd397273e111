import Crypto

/// The integrity token of an event: the first 12 hex digits of SHA-256 over its canonical form.
///
/// The canonical form (docs/events.md) is the fields event, timestamp, change_id, version_flag,
/// user_cohort, user_id, status, latency_ms, value, event_id, props, in that order, joined by
/// U+001F; a missing field is empty; numbers in ECMAScript's shortest form; props as key U+001D
/// value pairs, sorted by key (bytewise), joined by U+001E. The timestamp and all strings are
/// taken exactly as the event gave them.
enum EventHash {
    static let fieldSeparator: UInt8 = 0x1F
    static let pairSeparator: UInt8 = 0x1E
    static let keyValueSeparator: UInt8 = 0x1D

    /// Appends the canonical form of an event's fields to `buffer`.
    static func appendCanonicalForm(
        to buffer: inout [UInt8], event: String, timestamp: String,
        strings: (changeID: String?, versionFlag: String?, userCohort: String?, userID: String?, status: String?),
        latencyMs: Double?, value: Double?, eventID: String?, props: [(String, EventValidator.PropValue)]
    ) {
        buffer.append(contentsOf: event.utf8)
        buffer.append(fieldSeparator)
        buffer.append(contentsOf: timestamp.utf8)
        for text in [strings.changeID, strings.versionFlag, strings.userCohort, strings.userID, strings.status] {
            buffer.append(fieldSeparator)
            if let text { buffer.append(contentsOf: text.utf8) }
        }
        buffer.append(fieldSeparator)
        if let latencyMs { CanonicalNumber.append(latencyMs, to: &buffer) }
        buffer.append(fieldSeparator)
        if let value { CanonicalNumber.append(value, to: &buffer) }
        buffer.append(fieldSeparator)
        if let eventID { buffer.append(contentsOf: eventID.utf8) }
        buffer.append(fieldSeparator)
        for (index, (key, value)) in props.enumerated() {
            if index > 0 { buffer.append(pairSeparator) }
            buffer.append(contentsOf: key.utf8)
            buffer.append(keyValueSeparator)
            switch value {
            case .string(let text): buffer.append(contentsOf: text.utf8)
            case .number(let number): CanonicalNumber.append(number, to: &buffer)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The token of a canonical form given as bytes.
    static func token(ofCanonicalBytes bytes: [UInt8]) -> String {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        let digest = hasher.finalize()
        var hex = [UInt8](repeating: 0, count: 12)
        var index = 0
        for byte in digest.prefix(6) {
            hex[index] = hexDigits[Int(byte >> 4)]
            hex[index + 1] = hexDigits[Int(byte & 0x0F)]
            index += 2
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

extension CanonicalNumber {
    /// Appends the canonical text of `x`; whole numbers (the common case) without going through a String.
    static func append(_ x: Double, to buffer: inout [UInt8]) {
        if x.rounded(.towardZero) == x, abs(x) < 1e15 {
            var n = Int64(x)
            if n == 0 { return buffer.append(UInt8(ascii: "0")) }
            if n < 0 {
                buffer.append(UInt8(ascii: "-"))
                n = -n
            }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { storage in
                while n > 0 {
                    storage[count] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                    count += 1
                }
                for k in stride(from: count - 1, through: 0, by: -1) { buffer.append(storage[k]) }
            }
            return
        }
        buffer.append(contentsOf: format(x).utf8)
    }
}
