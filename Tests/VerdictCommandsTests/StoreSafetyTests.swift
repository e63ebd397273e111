import Foundation
import Testing
import VerdictTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A lost store is noticed and restored from a backup checked against the heads kept outside
/// it; a quarantined row can be dropped on the record; a writer that waits says for whom and
/// gives up in time; a slow importer holds up no other writer.
@Suite struct StoreSafetyTests {
    struct Shop {
        let folder: TemporaryFolder
        var now = "2026-11-04T07:00:00-06:00"

        init() throws {
            folder = try TemporaryFolder()
            #expect(try run(["init", ".", "--time-zone", "America/Chicago"]).status == 0)
        }

        func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
            try VerdictProcess.run(
                arguments, in: folder.url, environment: ["VERDICT_NOW": now, "VERDICT_ACTOR": "dana"].merging(environment) { _, new in new })
        }

        func write(_ text: String, to name: String) throws {
            let url = folder.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        func events(_ day: Int, count: Int, prefix: String) -> String {
            (0..<count).map { #"{"event":"quote_viewed","timestamp":"2026-11-0\#(day)T15:00:00Z","user_id":"\#(prefix)\#($0)"}"# }
                .joined(separator: "\n") + "\n"
        }
    }

    @Test func aLostStoreIsRefusedThenRestoredFromACheckedBackup() throws {
        var shop = try Shop()
        try shop.write(shop.events(2, count: 5, prefix: "a"), to: "monday.jsonl")
        #expect(try shop.run(["ingest", "monday.jsonl"]).status == 0)
        #expect(try shop.run(["daily", "--date", "2026-11-03"]).status == 0)
        let backup = try shop.run(["backup", "backups/nightly.sqlite"])
        #expect(backup.status == 0 && backup.output.contains("5 events in 1 batches"), "\(backup.output)\(backup.error)")
        let daily = try String(contentsOf: shop.folder.url.appendingPathComponent("daily/2026-11-03.txt"), encoding: .utf8)
        #expect(daily.contains("Audit head 1:"), "\(daily)")

        // A day later: more events, another daily; then .verdict/ is lost.
        shop.now = "2026-11-05T07:00:00-06:00"
        try shop.write(shop.events(4, count: 3, prefix: "b"), to: "wednesday.jsonl")
        #expect(try shop.run(["ingest", "wednesday.jsonl"]).status == 0)
        #expect(try shop.run(["daily", "--date", "2026-11-04"]).status == 0)
        try FileManager.default.removeItem(at: shop.folder.url.appendingPathComponent(".verdict"))

        // No command starts an empty store; each says how to restore.
        for arguments in [["events"], ["audit", "verify"], ["ingest", "monday.jsonl"], ["init"]] {
            let refused = try shop.run(arguments)
            #expect(refused.status == 1, "\(arguments)")
            #expect(refused.error.contains("the store .verdict/verdict.sqlite is missing, but this workspace had one"), "\(arguments): \(refused.error)")
            #expect(refused.error.contains("verdict restore FILE"), "\(refused.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: shop.folder.url.appendingPathComponent(".verdict/verdict.sqlite").path))

        // A backup of another workspace disagrees with the heads kept here: refused.
        let other = try Shop()
        try other.write(other.events(2, count: 2, prefix: "z"), to: "z.jsonl")
        #expect(try other.run(["ingest", "z.jsonl"]).status == 0)
        #expect(try other.run(["backup", "other.sqlite"]).status == 0)
        let foreign = try shop.run(["restore", other.folder.url.appendingPathComponent("other.sqlite").path])
        #expect(foreign.status == 1 && foreign.error.contains("the backup is not this workspace's trail"), "\(foreign.error)")
        try shop.write("not a store\n", to: "junk.sqlite")
        let junk = try shop.run(["restore", "junk.sqlite"])
        #expect(junk.status == 1 && junk.error.contains("not a Verdict store"), "\(junk.error)")

        // The nightly backup goes back; the later records are named as lost.
        let restored = try shop.run(["restore", "backups/nightly.sqlite"])
        #expect(restored.status == 0, "\(restored.error)")
        #expect(restored.output.contains("agrees with the heads kept in daily/2026-11-03.txt"), "\(restored.output)")
        #expect(restored.output.contains("LOST: the backup ends at record 1; daily/2026-11-04.txt kept record 2"), "\(restored.output)")
        let count = try shop.run(["events", "--json"])
        #expect(count.output.contains(#""events": 5"#), "\(count.output)")
        #expect(try shop.run(["audit", "verify"]).status == 0)
        // The head the lost day kept: the trail says it went in the restore, not that it was rewritten.
        let lostHead = try shop.run(["audit", "verify", "--head", "daily/2026-11-04.txt"])
        #expect(lostHead.status == 0 && lostHead.output.contains("was lost with the store"), "\(lostHead.output)")
        #expect(try shop.run(["audit", "verify", "--head", "daily/2026-11-03.txt"]).status == 0)
        #expect(try shop.run(["audit"]).output.contains("restore"))
        // Restoring over a store needs --replace, which keeps the one there aside.
        #expect(try shop.run(["restore", "backups/nightly.sqlite"]).status == 1)
        let replaced = try shop.run(["restore", "backups/nightly.sqlite", "--replace"])
        #expect(replaced.status == 0 && replaced.output.contains("The store that was there is now .verdict/verdict.sqlite.replaced-"), "\(replaced.output)\(replaced.error)")
    }

    @Test func aQuarantinedRowIsDroppedOnTheRecord() throws {
        let shop = try Shop()
        let bad = #"{"event":"quote_viewed","timestamp":"yesterday"}"#
        try shop.write(shop.events(2, count: 2, prefix: "a") + bad + "\n", to: "web.jsonl")
        #expect(try shop.run(["ingest", "web.jsonl"]).status == 3)
        let missing = try shop.run(["quarantine", "drop", "web.jsonl:1"])
        #expect(missing.status == 1 && missing.error.contains("no quarantined row of web.jsonl starts at line 1"), "\(missing.error)")
        #expect(try shop.run(["quarantine", "drop", "web.jsonl"]).status == 64)

        // Tomorrow's web.jsonl refuses the same line again: drop asks which batch's.
        try shop.write(shop.events(3, count: 2, prefix: "b") + bad + "\n", to: "web.jsonl")
        #expect(try shop.run(["ingest", "web.jsonl"]).status == 3)
        let ambiguous = try shop.run(["quarantine", "drop", "web.jsonl:3"])
        #expect(ambiguous.status == 1 && ambiguous.error.contains("quarantined in batches 1, 2; say which with --batch"), "\(ambiguous.error)")

        let dropped = try shop.run(["quarantine", "drop", "web.jsonl:3", "--batch", "1"])
        #expect(dropped.status == 0 && dropped.output.hasPrefix("Dropped web.jsonl:3 of batch 1"), "\(dropped.output)\(dropped.error)")
        let left = try shop.run(["quarantine"])
        #expect(left.output.hasPrefix("web.jsonl:3: ") && left.output.components(separatedBy: "web.jsonl:").count == 2, "\(left.output)")
        let audit = try shop.run(["audit", "--json"])
        #expect(audit.output.contains(#""action": "quarantine-drop""#), "\(audit.output)")
        #expect(audit.output.contains("raw_sha256"))
        // The batch keeps its events.
        #expect(try shop.run(["events", "--json"]).output.contains(#""events": 4"#))
        #expect(try shop.run(["audit", "verify"]).status == 0)
    }

    @Test func aWriterThatWaitsSaysForWhomAndGivesUp() throws {
        let shop = try Shop()
        try shop.write(shop.events(2, count: 1, prefix: "a"), to: "one.jsonl")
        // Another process holds the store's writer lock, as an ingest does while it writes.
        let path = shop.folder.url.appendingPathComponent(".verdict/verdict.sqlite-writer").path
        let descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let note = "4242\t1762779731000\tverdict ingest jobs.csv\n"
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }

        let waited = try shop.run(["ingest", "one.jsonl"], environment: ["VERDICT_WRITE_WAIT": "1"])
        #expect(waited.status == 75, "\(waited.output)\(waited.error)")
        #expect(waited.error.contains("waiting for another writer to the store: verdict ingest jobs.csv, pid 4242, since 2025-11-10T13:02:11Z"), "\(waited.error)")
        #expect(waited.error.contains("gave up after 1 s waiting for another writer"), "\(waited.error)")
        #expect(waited.error.components(separatedBy: "waiting for another writer to the store:").count == 2, "said once: \(waited.error)")
        flock(descriptor, LOCK_UN)
        let later = try shop.run(["ingest", "one.jsonl"])
        #expect(later.status == 0 && later.output.contains("1 stored"), "\(later.output)\(later.error)")
    }

    @Test func aSlowImporterHoldsUpNoOtherWriter() throws {
        let shop = try Shop()
        // An importer that spins for a while on each row (within the sandbox's limits).
        try shop.write(
            """
            return importer { columns = { "A" }, map = function(row)
              local n = 0
              for i = 1, 30000000 do n = n + 1 end
              return { event = "slow", timestamp = "2026-11-02T15:00:00Z", user_id = row.A }
            end }
            """, to: "plugins/importers/slow.lua")
        try shop.write("return workspace { business = \"Shop\", time_zone = \"America/Chicago\", sandbox = { instructions = 1000000000, seconds = 60 } }\n", to: "verdict.lua")
        try shop.write("A\n" + (1...40).map { "u\($0)" }.joined(separator: "\n") + "\n", to: "slow.csv")
        try shop.write(shop.events(2, count: 1, prefix: "q"), to: "quick.jsonl")
        final class Outcome: @unchecked Sendable {
            private let lock = NSLock()
            private var result: ProcessResult??
            func set(_ value: ProcessResult?) { lock.withLock { result = .some(value) } }
            var finished: ProcessResult?? { lock.withLock { result } }
        }
        let outcome = Outcome()
        let slow = Thread { outcome.set(try? shop.run(["ingest", "slow.csv", "--importer", "slow"])) }
        slow.start()
        // Once the slow ingest is under way, a one-line ingest goes in before it ends.
        Thread.sleep(forTimeInterval: 1)
        let quick = try shop.run(["ingest", "quick.jsonl"])
        #expect(quick.status == 0 && !quick.error.contains("waiting"), "\(quick.error)")
        #expect(outcome.finished == nil, "the slow importer ended before the quick ingest; make it slower")
        while outcome.finished == nil { Thread.sleep(forTimeInterval: 0.2) }
        let finished = try #require(outcome.finished ?? nil)
        #expect(finished.status == 0 && finished.output.contains("40 stored"), "\(finished.output)\(finished.error)")
        #expect(try shop.run(["events", "--json"]).output.contains(#""events": 41"#))
    }
}
