import Foundation
import Testing
import VerdictCore
import VerdictTestSupport

/// Bucketing a targeting key: the vectors published in docs/flags.md (computed with GrowthBook's
/// SDK), and the split over many keys.
@Suite struct FlagBucketingTests {
    struct Vector {
        var seed: String
        var key: String
        var share: Double
        var bucket: Double
        var treatment: Bool
    }

    /// The rows of docs/flags.md's test-vector table.
    static func vectors() throws -> [Vector] {
        let documentation = try String(contentsOf: Repository.file("docs/flags.md"), encoding: .utf8)
        return try documentation.split(separator: "\n").filter { $0.hasPrefix("| `CHG-") }.map { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let key = try JSONDecoder().decode(String.self, from: Data(cells[1].dropFirst().dropLast().utf8))
            return Vector(
                seed: String(cells[0].dropFirst().dropLast()), key: key, share: Double(cells[2])!, bucket: Double(cells[3])!,
                treatment: cells[4] == "treatment")
        }
    }

    @Test func publishedVectors() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count >= 12)
        for vector in vectors {
            let bucket = FlagBucketing.bucket(vector.key, seed: vector.seed)
            #expect(abs(bucket - vector.bucket) < 1e-9, "\(vector.seed) \(vector.key): bucket \(bucket), documented \(vector.bucket)")
            #expect(FlagBucketing.isTreatment(bucket: bucket, share: vector.share) == vector.treatment, "\(vector.seed) \(vector.key) at \(vector.share)")
        }
    }

    /// 100,000 keys split within sampling error of the share, for several shares, and a throttle
    /// keeps a subset of the treatment.
    @Test func manyKeysSplitAsTheShareSays() {
        let keys = (0..<100_000).map { "cust-\($0)" }
        let buckets = keys.map { FlagBucketing.bucket($0, seed: "CHG-0007") }
        for share in [0.1, 0.5, 0.9] {
            let treated = buckets.filter { FlagBucketing.isTreatment(bucket: $0, share: share) }.count
            let expected = share * 100_000
            let standardError = (100_000 * share * (1 - share)).squareRoot()
            #expect(abs(Double(treated) - expected) < 4 * standardError, "share \(share): \(treated) of 100000")
        }
        let atHalf = Set(buckets.indices.filter { FlagBucketing.isTreatment(bucket: buckets[$0], share: 0.5) })
        let atTenth = Set(buckets.indices.filter { FlagBucketing.isTreatment(bucket: buckets[$0], share: 0.1) })
        #expect(atTenth.isSubset(of: atHalf))
        // Another change's seed assigns independently: about half of one treatment is in the other's.
        let other = buckets.indices.filter { FlagBucketing.isTreatment(bucket: FlagBucketing.bucket(keys[$0], seed: "CHG-0008"), share: 0.5) }
        let both = other.filter { atHalf.contains($0) }.count
        #expect(abs(Double(both) / Double(atHalf.count) - 0.5) < 0.02)
    }
}

/// The switchback schedule as docs/flags.md publishes it.
@Suite struct SwitchbackScheduleTests {
    @Test func publishedDays() throws {
        let documentation = try String(contentsOf: Repository.file("docs/flags.md"), encoding: .utf8)
        let rows = documentation.split(separator: "\n").filter { $0.range(of: #"^\| \d+ \| 20\d\d-"#, options: .regularExpression) != nil }
        #expect(rows.count == 10)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let day = try #require(LocalDay(cells[1]))
            #expect(String(day.number) == cells[2])
            #expect(Evaluator.switchbackIsTreatment(day: day.number, seed: Int64(cells[0])!) == (cells[3] == "treatment"), "\(row)")
        }
    }
}
