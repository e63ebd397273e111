import Crypto

/// The integrity token of an event: the first 12 hex digits of SHA-256 over its canonical form.
///
/// The canonical form (docs/events.md) is the fields event, timestamp, change_id, version_flag,
/// user_cohort, user_id, status, latency_ms, value, event_id, props, in that order, joined by
/// U+001F; a missing field is empty; numbers in ECMAScript's shortest form; props as key U+001D
/// value pairs, sorted by key (bytewise), joined by U+001E. The timestamp and all strings are
/// taken exactly as the event gave them.
enum EventHash {
    static let fieldSeparator: Character = "\u{1F}"
    static let pairSeparator: Character = "\u{1E}"
    static let keyValueSeparator: Character = "\u{1D}"

    struct Fields {
        var event: String
        var timestamp: String
        var changeID: String?
        var versionFlag: String?
        var userCohort: String?
        var userID: String?
        var status: String?
        var latencyMs: Double?
        var value: Double?
        var eventID: String?
        /// Sorted by key; values already in canonical text.
        var props: [(String, String)]
    }

    static func canonicalForm(_ f: Fields) -> String {
        var text = ""
        text.reserveCapacity(256)
        let separator = String(fieldSeparator)
        text += f.event
        text += separator + f.timestamp
        text += separator + (f.changeID ?? "")
        text += separator + (f.versionFlag ?? "")
        text += separator + (f.userCohort ?? "")
        text += separator + (f.userID ?? "")
        text += separator + (f.status ?? "")
        text += separator + (f.latencyMs.map(CanonicalNumber.format) ?? "")
        text += separator + (f.value.map(CanonicalNumber.format) ?? "")
        text += separator + (f.eventID ?? "")
        text += separator
        for (index, (key, value)) in f.props.enumerated() {
            if index > 0 { text.append(pairSeparator) }
            text += key
            text.append(keyValueSeparator)
            text += value
        }
        return text
    }

    static func token(_ f: Fields) -> String {
        token(ofCanonicalForm: canonicalForm(f))
    }

    static func token(ofCanonicalForm text: String) -> String {
        let digest = SHA256.hash(data: Array(text.utf8))
        var hex = ""
        hex.reserveCapacity(12)
        let symbols = Array("0123456789abcdef")
        for byte in digest.prefix(6) {
            hex.append(symbols[Int(byte >> 4)])
            hex.append(symbols[Int(byte & 0x0F)])
        }
        return hex
    }
}
