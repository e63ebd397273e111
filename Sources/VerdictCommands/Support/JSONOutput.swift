import Foundation

/// How every `--json` encodes its `Codable` output: pretty, keys sorted, two-space indents.
enum JSONOutput {
    /// `value` as the JSON text a command prints (without the final newline).
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
