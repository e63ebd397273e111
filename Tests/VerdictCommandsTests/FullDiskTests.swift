import Foundation
import Testing
import VerdictTestSupport

enum SmallDisk {
    /// Whether this process may mount a tmpfs (root, as CI runs).
    static let canMount: Bool = {
        guard getuid() == 0, let folder = try? TemporaryFolder() else { return false }
        defer { _ = try? FullDiskTests.run("/bin/umount", [folder.url.path]) }
        return (try? FullDiskTests.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", folder.url.path])) == 0
    }()
}

/// A workspace on a disk that is 100% full: every read works, every write says "the disk is
/// full" and where, nothing stored is lost or half-written, and all works again once space is
/// freed. The disk is a small tmpfs mounted for the test, so it needs root (as CI runs); without
/// it the suite is skipped, and says why.
@Suite(.serialized, .enabled(if: SmallDisk.canMount, "mounting a small tmpfs needs root"))
struct FullDiskTests {

    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Writes zeros to `filler` until the disk refuses more.
    static func fill(_ filler: URL) {
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        guard let handle = try? FileHandle(forWritingTo: filler) else { return }
        defer { try? handle.close() }
        let block = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: block)) != nil {}
        let small = Data(count: 512)
        while (try? handle.write(contentsOf: small)) != nil {}
    }

    @Test func readsWorkAndWritesSayTheDiskIsFull() throws {
        let mount = try TemporaryFolder()
        #expect(try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.url.path]) == 0)
        defer { try? Self.run("/bin/umount", [mount.url.path]) }
        let folder = mount.url
        let now = ["VERDICT_NOW": "2026-11-04T07:00:00-06:00"]
        func verdict(_ arguments: [String]) throws -> ProcessResult {
            try VerdictProcess.run(arguments, in: folder, environment: now)
        }
        #expect(try verdict(["init", ".", "--time-zone", "America/Chicago"]).status == 0)
        let rows = (0..<2_000).map { #"{"event":"quote_viewed","timestamp":"2026-11-03T15:00:00Z","user_id":"u\#($0)"}"# }
        try rows.joined(separator: "\n").write(to: folder.appendingPathComponent("first.jsonl"), atomically: true, encoding: .utf8)
        let more = (0..<500).map { #"{"event":"appointment_booked","timestamp":"2026-11-03T16:00:00Z","user_id":"u\#($0)"}"# }
        try more.joined(separator: "\n").write(to: folder.appendingPathComponent("second.jsonl"), atomically: true, encoding: .utf8)
        #expect(try verdict(["ingest", "first.jsonl"]).status == 0)
        let head = try verdict(["audit", "head"]).output

        let filler = folder.appendingPathComponent("filler")
        Self.fill(filler)

        // Reads.
        let counted = try verdict(["events"])
        #expect(counted.status == 0, "\(counted.error)")
        #expect(counted.output.contains("2000"), "\(counted.output)")
        let verified = try verdict(["audit", "verify"])
        #expect(verified.status == 0 && verified.output.contains("intact"), "\(verified.output) \(verified.error)")
        #expect(try verdict(["audit", "head"]).output == head)
        #expect(try verdict(["quarantine"]).status == 0)

        // Writes: each says the disk is full, and where.
        let ingest = try verdict(["ingest", "second.jsonl"])
        #expect(ingest.status != 0)
        #expect(ingest.error.contains("the disk is full: cannot write to the store") && ingest.error.contains(".verdict/verdict.sqlite"), "\(ingest.error)")
        let dashboard = try verdict(["dashboard"])
        #expect(dashboard.status != 0)
        #expect(dashboard.error.contains("the disk is full: cannot write dashboards/"), "\(dashboard.error)")
        #expect(try verdict(["events"]).output.contains("2000"))

        // Space freed: the same commands work, and nothing was lost or doubled.
        try FileManager.default.removeItem(at: filler)
        #expect(try verdict(["ingest", "second.jsonl"]).status == 0)
        #expect(try verdict(["dashboard"]).status == 0)
        let after = try verdict(["events", "--by", "event", "--json"])
        let groups = try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [[String: Any]] ?? []
        let byName = Dictionary(uniqueKeysWithValues: groups.map { ($0["event"] as? String ?? "", $0["events"] as? Int ?? 0) })
        #expect(byName == ["quote_viewed": 2000, "appointment_booked": 500], "\(after.output)")
        #expect(try verdict(["audit", "verify"]).status == 0)
    }
}
