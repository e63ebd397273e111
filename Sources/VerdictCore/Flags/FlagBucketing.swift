import CVerdictHash

/// How a targeting key (a visitor or customer id) is assigned to an arm, the same on every
/// surface: the CLI, the server's OFREP answers and the website snippet. The rule is GrowthBook's
/// hash version 2 and bucket ranges, so any GrowthBook SDK reproduces it; docs/flags.md gives it
/// with test vectors.
public enum FlagBucketing {
    /// The key's bucket for `seed` (a change's change_id): `fnv32a(String(fnv32a(seed + key)))
    /// mod 10000 / 10000`, where fnv32a is FNV-1a (32-bit) over UTF-16 code units. One of 10,000
    /// steps in [0, 1).
    public static func bucket(_ key: String, seed: String) -> Double {
        let inner = fnv32a(seed + key)
        return Double(fnv32a(String(inner)) % 10_000) / 10_000
    }

    /// Whether a bucket falls in the treatment's range when the treatment has `share` of the
    /// traffic: control is [0, 1 − share), treatment [1 − share, 1) (GrowthBook's ranges for two
    /// variations weighted 1 − share and share). Lowering the share keeps a subset of the same
    /// customers in treatment, so a throttle never moves anyone into it.
    public static func isTreatment(bucket: Double, share: Double) -> Bool {
        guard share > 0 else { return false }
        let start = 1 - share
        return bucket >= start && bucket < start + share
    }

    static func fnv32a(_ text: String) -> UInt32 {
        let units = Array(text.utf16)
        return units.withUnsafeBufferPointer { vh_fnv1a32_utf16($0.baseAddress, $0.count) }
    }
}
