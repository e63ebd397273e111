import CVerdictHash
import Testing
@testable import VerdictStore

/// A migration that has shipped is never edited: stores in the field ran exactly this SQL. A new
/// change to the schema is a new migration, and its fingerprint is added here.
@Suite struct FrozenMigrationTests {
    static let fingerprints: [UInt64] = [
        0xc517_55e2_a7f1_7b7b,
        0x0db2_2960_3145_8703,
        0xe0cc_cefd_2658_e03d,
        0xce3a_ff0e_2b85_c6a4,
        0xd86d_7a2e_04db_c992,
        0xea36_2d2a_4f27_c27a,
        0xc32b_67ce_bcb2_9549,
        0xefa8_8e2e_9b4b_8116,
        0x16d9_9472_d689_af0d,
        0x0bc6_09fa_095c_6756,
        0x2569_d59c_37fa_3fd3,
        0x9d1f_0747_2586_e670,
    ]

    static func fingerprint(_ sql: String) -> UInt64 {
        var text = sql
        return text.withUTF8 { vh_fnv1a($0.baseAddress, $0.count) }
    }

    @Test func migrationsAreFrozenText() {
        let actual = Schema.migrations.map(Self.fingerprint)
        #expect(
            actual.count == Self.fingerprints.count,
            "a migration was added: add its fingerprint \(actual.dropFirst(Self.fingerprints.count).map { "0x" + String($0, radix: 16) })")
        for (index, (expected, found)) in zip(Self.fingerprints, actual).enumerated() {
            #expect(expected == found, "migration \(index + 1) changed (fingerprint 0x\(String(found, radix: 16))): add a new migration instead")
        }
    }
}
