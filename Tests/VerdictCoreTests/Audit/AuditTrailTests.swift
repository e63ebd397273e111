import Foundation
import GRDB
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// The audit trail finds every kind of tampering done with raw SQL on the store.
@Suite struct AuditTrailTests {
    /// A workspace with three ingested files, a removed batch, and a few more records.
    func setUp() throws -> (IngestFixture, AuditTrail, DatabaseQueue) {
        let fixture = try IngestFixture(timeZone: "UTC")
        for (index, name) in ["a.jsonl", "b.jsonl", "c.jsonl"].enumerated() {
            let rows = (0..<5).map { #"{"event":"job_completed","timestamp":"2026-11-0\#(2 + index)T1\#($0):00:00Z","value":\#(100 + $0),"user_id":"c\#($0)"}"# }
            try fixture.ingest(rows.joined(separator: "\n") + "\n", as: name)
        }
        _ = try EventLog(workspace: fixture.workspace).removeBatch(2, at: 1_000, actor: "office")
        let trail = try AuditTrail(workspace: fixture.workspace)
        for index in 1...3 {
            try trail.append(at: 2_000 + Int64(index), changeID: "CHG-000\(index)", actor: "office", action: "note", details: ["n": index])
        }
        return (fixture, trail, try DatabaseQueue(path: fixture.workspace.storePath))
    }

    func kinds(_ verification: AuditVerification) -> [AuditFinding.Kind] { verification.findings.map(\.kind) }

    @Test func anUntouchedTrailIsIntact() throws {
        let (fixture, trail, _) = try setUp()
        let records = try trail.records()
        #expect(records.map(\.action) == ["ingest", "ingest", "ingest", "batch-remove", "note", "note", "note"])
        #expect(records.map(\.seq) == Array(1...7))
        #expect(records[0].previousHash == AuditTrail.genesis && records[1].previousHash == records[0].hash)
        let verification = try trail.verify(keptHead: try trail.head())
        #expect(verification.isIntact, "\(verification.findings)")
        #expect(verification.batchesChecked == 2)  // batch 2 was removed, on the record
        #expect(try trail.records(changeID: "CHG-0002").map(\.seq) == [6])
        withExtendedLifetime(fixture) {}
    }

    @Test func anEditedRecordIsFound() throws {
        let (fixture, trail, db) = try setUp()
        try db.write { try $0.execute(sql: #"UPDATE audit SET details = '{"n":9}' WHERE seq = 6"#) }
        let found = try trail.verify()
        #expect(kinds(found) == [.edited] && found.findings.first?.seq == 6)
        withExtendedLifetime(fixture) {}
    }

    @Test func anEditedAndRehashedRecordBreaksTheChain() throws {
        let (fixture, trail, db) = try setUp()
        let records = try trail.records()
        let forged = AuditTrail.hash(seq: 5, at: 2_001, changeID: "CHG-0001", actor: "office", action: "note", details: #"{"n":9}"#, previousHash: records[3].hash)
        try db.write { try $0.execute(sql: #"UPDATE audit SET details = '{"n":9}', hash = ? WHERE seq = 5"#, arguments: [forged]) }
        let found = try trail.verify()
        #expect(kinds(found) == [.brokenChain] && found.findings.first?.seq == 6)
        withExtendedLifetime(fixture) {}
    }

    @Test func aDeletedRecordIsFound() throws {
        let (fixture, trail, db) = try setUp()
        try db.write { try $0.execute(sql: "DELETE FROM audit WHERE seq = 4") }
        let found = try trail.verify()
        #expect(found.findings.contains { $0.kind == .deleted && $0.seq == 4 })
        // Without the batch-remove record, batch 2's events are missing without a reason.
        #expect(found.findings.contains { $0.kind == .eventsChanged && $0.seq == 2 })
        withExtendedLifetime(fixture) {}
    }

    @Test func anInsertedRecordIsFound() throws {
        let (fixture, trail, db) = try setUp()
        let records = try trail.records()
        // Make room after record 5 and insert a record that links correctly to it.
        let inserted = AuditTrail.hash(seq: 6, at: 2_001, changeID: "", actor: "x", action: "note", details: "{}", previousHash: records[4].hash)
        try db.write { db in
            try db.execute(sql: "UPDATE audit SET seq = seq + 100 WHERE seq > 5")
            try db.execute(sql: "UPDATE audit SET seq = seq - 99 WHERE seq > 100")
            try db.execute(
                sql: "INSERT INTO audit (seq, at, change_id, actor, action, details, prev_hash, hash) VALUES (6, 2001, '', 'x', 'note', '{}', ?, ?)",
                arguments: [records[4].hash, inserted])
        }
        let found = try trail.verify()
        #expect(!found.isIntact)
        #expect(found.findings.first?.seq == 7)  // the first record after the insertion
        withExtendedLifetime(fixture) {}
    }

    @Test func reorderedRecordsAreFound() throws {
        let (fixture, trail, db) = try setUp()
        try db.write { db in
            try db.execute(sql: "UPDATE audit SET seq = 100 WHERE seq = 5")
            try db.execute(sql: "UPDATE audit SET seq = 5 WHERE seq = 6")
            try db.execute(sql: "UPDATE audit SET seq = 6 WHERE seq = 100")
        }
        let found = try trail.verify()
        #expect(found.findings.first?.seq == 5 && found.findings.first?.kind == .edited)
        withExtendedLifetime(fixture) {}
    }

    @Test func aTruncationIsFoundAgainstAKeptHead() throws {
        let (fixture, trail, db) = try setUp()
        let kept = try #require(try trail.head())
        try db.write { try $0.execute(sql: "DELETE FROM audit WHERE seq >= 6") }
        #expect(try trail.verify().isIntact)  // without a kept head, a clean cut cannot be told
        let found = try trail.verify(keptHead: kept)
        #expect(kinds(found) == [.truncated] && found.findings.first?.seq == 6)
        withExtendedLifetime(fixture) {}
    }

    @Test func aRewrittenEndIsFoundAgainstAKeptHead() throws {
        let (fixture, trail, db) = try setUp()
        let kept = try #require(try trail.head())
        let records = try trail.records()
        let forged = AuditTrail.hash(seq: 7, at: 2_003, changeID: "CHG-0003", actor: "office", action: "note", details: #"{"n":0}"#, previousHash: records[5].hash)
        try db.write { try $0.execute(sql: #"UPDATE audit SET details = '{"n":0}', hash = ? WHERE seq = 7"#, arguments: [forged]) }
        #expect(try trail.verify().isIntact)
        #expect(kinds(try trail.verify(keptHead: kept)) == [.rewritten])
        withExtendedLifetime(fixture) {}
    }

    @Test func editedDeletedAndAddedEventsAreFound() throws {
        for sql in [
            "UPDATE events SET value = 999 WHERE batch_id = 3 AND value = 102",
            "DELETE FROM events WHERE batch_id = 1 AND value = 100",
            "INSERT INTO events (batch_id, event, ts, day, change_id, attributed, hash) SELECT 3, 'job_completed', ts, day, change_id, 0, hash FROM events WHERE batch_id = 3 LIMIT 1",
        ] {
            let (fixture, trail, db) = try setUp()
            try db.write { try $0.execute(sql: sql) }
            let found = try trail.verify()
            #expect(kinds(found) == [.eventsChanged], "\(sql): \(found.findings)")
            withExtendedLifetime(fixture) {}
        }
    }

    @Test func eventsNoRecordCoversAreFound() throws {
        let (fixture, trail, _) = try setUp()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false  // as a tamperer with the sqlite3 shell would
        let db = try DatabaseQueue(path: fixture.workspace.storePath, configuration: configuration)
        try db.write { db in
            try db.execute(sql: "INSERT INTO events (batch_id, event, ts, day, change_id, attributed, hash) VALUES (9, 'x', 0, 0, 'none', 0, 'h')")
            try db.execute(sql: "INSERT INTO events (batch_id, event, ts, day, change_id, attributed, hash) VALUES (2, 'x', 0, 0, 'none', 0, 'h')")
        }
        let found = try trail.verify()
        #expect(kinds(found) == [.eventsUnrecorded, .eventsUnrecorded], "\(found.findings)")
        withExtendedLifetime(fixture) {}
    }

    /// The digest recorded at ingest is the one verify recomputes, whether the batch was digested
    /// as it was written or read back after rows were removed from it (identical rows, repeats).
    @Test func digestsAgreeAfterRowsAreRemovedAndForOddValues() throws {
        let fixture = try IngestFixture(timeZone: "UTC")
        let rows = [
            #"{"event":"a","timestamp":"2026-11-02T10:00:00Z","value":-0,"latency_ms":0.1,"props":{"z":"é","n":-1.5e-7}}"#,
            #"{"event":"a","timestamp":"2026-11-02T10:00:00Z","value":12}"#,
            #"{"event":"b","timestamp":"2026-11-02T11:00:00Z","event_id":"e1","user_id":"Zoë"}"#,
        ]
        try fixture.ingest(rows.joined(separator: "\n") + "\n", as: "one.jsonl")
        // Identical rows skipped and a repeated event_id: rows removed after they were written.
        try fixture.ingest((rows + [#"{"event":"c","timestamp":"2026-11-03T10:00:00Z"}"#]).joined(separator: "\n") + "\n", as: "two.jsonl")
        let trail = try AuditTrail(workspace: fixture.workspace)
        let verification = try trail.verify()
        #expect(verification.isIntact, "\(verification.findings)")
        #expect(verification.batchesChecked == 2)
    }

    @Test func headsReadAndWrite() {
        let head = AuditHead(seq: 12, hash: String(repeating: "ab", count: 32))
        #expect(AuditHead(head.description) == head)
        #expect(AuditHead("12:xyz") == nil && AuditHead("0:" + String(repeating: "a", count: 64)) == nil && AuditHead("nope") == nil)
    }
}
