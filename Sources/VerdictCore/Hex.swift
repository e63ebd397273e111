import Crypto
import Foundation

/// Bytes (a SHA-256 digest) as lowercase hex, the way every hash Verdict shows is written.
func lowercaseHex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// The SHA-256 of a text's UTF-8, as lowercase hex (an ETag, a token's stored form).
public func sha256Hex(_ text: String) -> String {
    lowercaseHex(SHA256.hash(data: Data(text.utf8)))
}
