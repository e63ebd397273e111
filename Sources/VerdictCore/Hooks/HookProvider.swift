import Crypto
import Foundation

/// The job software that can send Verdict webhooks (`POST /v1/hooks/PROVIDER`), each with its
/// own signature scheme, as the providers document them:
///
/// - Jobber: `X-Jobber-Hmac-SHA256`, base64 of HMAC-SHA256 over the raw body, keyed with the
///   app's OAuth client secret.
/// - Housecall Pro: `Api-Timestamp` and `Api-Signature`, hex HMAC-SHA256 over
///   `TIMESTAMP + "." + body`, keyed with the signing secret; the timestamp must be within five
///   minutes of now, so a captured request cannot be replayed later.
/// - CallRail: `Signature`, base64 of HMAC-SHA1 over the raw body, keyed with the company's
///   webhook key.
/// - Square: `x-square-hmacsha256-signature`, base64 of HMAC-SHA256 over the notification URL as
///   registered followed by the raw body, keyed with the subscription's signature key.
///
/// Signatures are checked in constant time (`HMAC.isValidAuthenticationCode`), before anything
/// reads the body.
public enum HookProvider: String, CaseIterable, Sendable, Codable {
    case jobber
    case housecallPro = "housecall-pro"
    case callrail
    case square

    /// The mapping plugin's name (`plugins/hooks/NAME.lua`).
    public var pluginName: String { rawValue.replacingOccurrences(of: "-", with: "_") }

    /// Whether its signature covers the notification URL (Square), which `hook add` then needs.
    public var needsURL: Bool { self == .square }

    /// The header(s) that carry the signature, for the refusal's message.
    var signatureHeaders: [String] {
        switch self {
        case .jobber: ["X-Jobber-Hmac-SHA256"]
        case .housecallPro: ["Api-Timestamp", "Api-Signature"]
        case .callrail: ["Signature"]
        case .square: ["x-square-hmacsha256-signature"]
        }
    }

    /// How far from now Housecall Pro's timestamp may be.
    static let replayWindowSeconds: Int64 = 300

    /// Checks a request's signature. `header` reads a request header by name (any capitals);
    /// `now` is epoch milliseconds. Nil when it verifies; else why not (for a 401).
    public func refusal(body: Data, header: (String) -> String?, secret: String, url: String?, now: Int64) -> String? {
        let key = SymmetricKey(data: Data(secret.utf8))
        func named(_ name: String) -> String? {
            header(name).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard signatureHeaders.allSatisfy({ named($0) != nil }) else {
            return "the request has no \(signatureHeaders.joined(separator: " and ")) header: it is not signed as \(rawValue) signs"
        }
        let valid: Bool
        switch self {
        case .jobber:
            guard let mac = Data(base64Encoded: named("X-Jobber-Hmac-SHA256")!) else { return "X-Jobber-Hmac-SHA256 is not base64" }
            valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
        case .housecallPro:
            let stamp = named("Api-Timestamp")!
            guard let seconds = Self.epochSeconds(stamp) else { return "Api-Timestamp \"\(stamp.prefix(40))\" is not a Unix time" }
            guard let mac = Self.hexBytes(named("Api-Signature")!) else { return "Api-Signature is not hex" }
            valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(stamp.utf8) + Data(".".utf8) + body, using: key)
            if valid, abs(now / 1000 - seconds) > Self.replayWindowSeconds {
                return "Api-Timestamp is \(abs(now / 1000 - seconds)) s from now, beyond the \(Self.replayWindowSeconds) s allowed: a replay, or a clock far off"
            }
        case .callrail:
            guard let mac = Data(base64Encoded: named("Signature")!) else { return "Signature is not base64" }
            valid = HMAC<Insecure.SHA1>.isValidAuthenticationCode(mac, authenticating: body, using: key)
        case .square:
            guard let mac = Data(base64Encoded: named("x-square-hmacsha256-signature")!) else { return "x-square-hmacsha256-signature is not base64" }
            valid = HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data((url ?? "").utf8) + body, using: key)
        }
        return valid ? nil : "the signature does not match the body (a wrong secret, or a body changed on the way)"
    }

    /// A Unix time in seconds, or in milliseconds (13 digits).
    static func epochSeconds(_ text: String) -> Int64? {
        guard let number = Int64(text), number > 0 else { return nil }
        return number > 100_000_000_000 ? number / 1000 : number
    }

    static func hexBytes(_ text: String) -> Data? {
        let lower = Array(text.lowercased().utf8)
        guard lower.count % 2 == 0, !lower.isEmpty else { return nil }
        var bytes = Data(capacity: lower.count / 2)
        for index in stride(from: 0, to: lower.count, by: 2) {
            guard let high = hexValue(lower[index]), let low = hexValue(lower[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The signature headers a provider would send for `body`: what tests and the README's
    /// curl example sign with (`verdict hook sign`).
    public func sign(body: Data, secret: String, url: String?, now: Int64) -> [(String, String)] {
        let key = SymmetricKey(data: Data(secret.utf8))
        switch self {
        case .jobber:
            return [("X-Jobber-Hmac-SHA256", Data(HMAC<SHA256>.authenticationCode(for: body, using: key)).base64EncodedString())]
        case .housecallPro:
            let stamp = "\(now / 1000)"
            let mac = HMAC<SHA256>.authenticationCode(for: Data(stamp.utf8) + Data(".".utf8) + body, using: key)
            return [("Api-Timestamp", stamp), ("Api-Signature", lowercaseHex(mac))]
        case .callrail:
            return [("Signature", Data(HMAC<Insecure.SHA1>.authenticationCode(for: body, using: key)).base64EncodedString())]
        case .square:
            let mac = HMAC<SHA256>.authenticationCode(for: Data((url ?? "").utf8) + body, using: key)
            return [("x-square-hmacsha256-signature", Data(mac).base64EncodedString())]
        }
    }
}
