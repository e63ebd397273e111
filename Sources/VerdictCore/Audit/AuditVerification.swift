import Crypto
import Foundation
import VerdictStore

/// Something `verify` found wrong with the trail or the data it vouches for: a finding, not an
/// error, so each surface renders it.
public struct AuditFinding: Sendable, Equatable, Encodable, CustomStringConvertible {
    public enum Kind: String, Sendable, Encodable {
        /// A record's content does not match its hash.
        case edited
        /// Records are missing between two others.
        case deleted
        /// A record does not follow the one before it: one was inserted, replaced or reordered.
        case brokenChain = "broken-chain"
        /// The trail ends before the head the owner kept.
        case truncated
        /// The record at the kept head's place is not the one the owner kept.
        case rewritten
        /// A batch's stored events no longer give the digest recorded when it was ingested.
        case eventsChanged = "events-changed"
        /// Stored events belong to a batch no record covers.
        case eventsUnrecorded = "events-unrecorded"
        /// A recorded verdict does not come out the same from its sealed copy and the events now.
        case verdictNotReproduced = "verdict-not-reproduced"
    }

    public var kind: Kind
    /// The first record concerned, when there is one.
    public var seq: Int64?
    public var message: String

    public var description: String { message }
}

/// What `verify` checked and found.
public struct AuditVerification: Sendable, Encodable {
    public var records: Int
    public var head: String?
    public var batchesChecked: Int
    /// Recorded verdicts re-evaluated (with `reproduce`).
    public var verdictsReproduced: Int = 0
    public var findings: [AuditFinding]
    /// What verification could not vouch for, without being wrong (batches from before the trail).
    public var notes: [String]

    public var isIntact: Bool { findings.isEmpty }

    enum CodingKeys: String, CodingKey {
        case records, head, findings, notes
        case batchesChecked = "batches_checked", isIntact = "intact", verdictsReproduced = "verdicts_reproduced"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(records, forKey: .records)
        try c.encode(head, forKey: .head)
        try c.encode(batchesChecked, forKey: .batchesChecked)
        try c.encode(verdictsReproduced, forKey: .verdictsReproduced)
        try c.encode(isIntact, forKey: .isIntact)
        try c.encode(findings, forKey: .findings)
        try c.encode(notes, forKey: .notes)
    }
}

/// SHA-256 of stored rows' canonical bytes (a batch's, or a verdict's window), as lowercase hex.
final class RowSHA256: RowDigester {
    private var hasher = SHA256()

    func add(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    func finish() -> String {
        lowercaseHex(hasher.finalize())
    }
}

extension AuditTrail {
    /// Checks every record's hash and its link to the one before, the end of the trail against
    /// `keptHead`, and each recorded batch's digest against its stored events now. With
    /// `reproduce`, every recorded verdict is evaluated again from its sealed copy and the stored
    /// events, and must give the same figures.
    public func verify(keptHead: AuditHead? = nil, reproduce: Bool = false) throws -> AuditVerification {
        let rows = try store.auditRows()
        var findings: [AuditFinding] = []
        var notes: [String] = []
        var previousHash = Self.genesis
        var expected: Int64 = 1
        for row in rows {
            if row.seq > expected {
                let range = row.seq - 1 == expected ? "record \(expected) is" : "records \(expected) to \(row.seq - 1) are"
                findings.append(AuditFinding(kind: .deleted, seq: expected, message: "\(range) missing: deleted from the trail"))
            }
            let recomputed = Self.hash(
                seq: row.seq, at: row.at, changeID: row.changeID, actor: row.actor, action: row.action, details: row.details,
                previousHash: row.previousHash)
            if recomputed != row.hash {
                findings.append(AuditFinding(
                    kind: .edited, seq: row.seq, message: "record \(row.seq) (\(row.action)) was edited: its content does not match its hash"))
            } else if row.previousHash != previousHash && row.seq == expected {
                findings.append(AuditFinding(
                    kind: .brokenChain, seq: row.seq,
                    message: "record \(row.seq) (\(row.action)) does not follow record \(row.seq - 1): a record was inserted, replaced or reordered"))
            }
            previousHash = row.hash
            expected = row.seq + 1
        }
        if let keptHead, RestoreAuditDetails.abandonedHeads(in: rows).contains(keptHead.description) {
            let restore = rows.last { $0.action == "restore" && $0.details.contains(keptHead.description) }
            notes.append(
                "the head kept (\(keptHead)) was lost with the store: the restore recorded by record \(restore?.seq ?? 0) "
                    + "put back a backup made before it, and the trail went on from there")
        } else if let keptHead {
            if let last = rows.last, keptHead.seq > last.seq {
                findings.append(AuditFinding(
                    kind: .truncated, seq: last.seq + 1,
                    message: "the trail ends at record \(last.seq), but the head kept was \(keptHead): records \(last.seq + 1) to \(keptHead.seq) were removed"))
            } else if rows.isEmpty {
                findings.append(AuditFinding(kind: .truncated, seq: 1, message: "the trail is empty, but the head kept was \(keptHead)"))
            } else if let kept = rows.first(where: { $0.seq == keptHead.seq }), kept.hash != keptHead.hash {
                findings.append(AuditFinding(
                    kind: .rewritten, seq: keptHead.seq,
                    message: "record \(keptHead.seq) is not the one kept (\(keptHead)): the trail up to it was rewritten"))
            }
        }
        let (checked, dataFindings, dataNotes) = try verifyBatches(rows)
        findings += dataFindings
        notes += dataNotes
        var reproduced = 0
        if reproduce {
            let (count, verdictFindings) = try reproduceVerdicts(rows)
            reproduced = count
            findings += verdictFindings
        }
        findings.sort { ($0.seq ?? .max) < ($1.seq ?? .max) }
        var verification = AuditVerification(
            records: rows.count, head: rows.last.map { "\($0.seq):\($0.hash)" }, batchesChecked: checked, findings: findings, notes: notes)
        verification.verdictsReproduced = reproduced
        return verification
    }

    /// Each `verdict` record evaluated again: the sealed copy of its experiment over its window,
    /// from the events stored now. The figures must be the recorded ones; when they are not, the
    /// finding names the first figure that differs, and whether the events it used changed since
    /// (their digest) or the same events now give other figures (the workspace's settings, or
    /// Verdict itself, changed).
    private func reproduceVerdicts(_ rows: [AuditRow]) throws -> (Int, [AuditFinding]) {
        guard let workspace else { return (0, []) }
        let lifecycle = try Lifecycle(workspace: workspace, clock: FixedClock(Date(timeIntervalSince1970: 0)), actor: "")
        var count = 0
        var findings: [AuditFinding] = []
        for row in rows where row.action == "verdict" {
            count += 1
            let fail = { (message: String) in
                findings.append(AuditFinding(kind: .verdictNotReproduced, seq: row.seq, message: "record \(row.seq): \(row.changeID)'s verdict \(message)"))
            }
            guard let details = (try? JSONSerialization.jsonObject(with: Data(row.details.utf8))) as? [String: Any],
                let window = details["window"] as? [String: Any], let from = (window["from"] as? String).flatMap(LocalDay.init),
                let to = (window["to"] as? String).flatMap(LocalDay.init), let recorded = details["report"]
            else {
                fail("cannot be read: its record has no window or figures")
                continue
            }
            let through = (details["outcomes_through"] as? String).flatMap(LocalDay.init) ?? to
            let sealed: Lifecycle.SealedExperiment
            do {
                guard let found = try lifecycle.sealedExperiment(changeID: row.changeID) else {
                    fail("cannot be reproduced: the experiment is not in the store")
                    continue
                }
                sealed = found
            } catch {
                fail("cannot be reproduced: its sealed copy does not load (\(error))")
                continue
            }
            let evaluated = try ReportRun.evaluate(
                sealed.declaration, store: store, settings: workspace.settings,
                sandbox: sealed.declaration.hasCustomKPIs ? sealed.sandbox : nil, from: from, to: to, daily: false)
            let again = (try? JSONSerialization.jsonObject(with: Data(AuditTrail.canonicalJSON(ReportDocument(evaluated)).utf8))) ?? [:]
            guard let difference = Self.firstDifference(recorded, again, path: "report") else { continue }
            let digest = try store.windowDigest(row.changeID, days: from.number...through.number, into: RowSHA256()).digest
            let cause = digest == details["digest"] as? String
                ? "from the same events (their digest is unchanged): the workspace's settings or Verdict's computation changed"
                : "because the events it used changed since (their digest differs)"
            fail("for \(from) .. \(to) does not come out the same: \(difference), \(cause)")
        }
        return (count, findings)
    }

    /// The first place two JSON values differ, as `path: recorded → now`; nil when equal. A
    /// field the recorded document does not have was added to reports after it was recorded
    /// (as `cohorts` was), and is not a difference.
    static func firstDifference(_ a: Any, _ b: Any, path: String) -> String? {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            for key in x.keys.sorted() {
                guard let left = x[key], let right = y[key] else { return "\(path).\(key) is gone" }
                if let found = firstDifference(left, right, path: "\(path).\(key)") { return found }
            }
            return nil
        case (let x as [Any], let y as [Any]):
            guard x.count == y.count else { return "\(path) has \(y.count) entries, not \(x.count)" }
            for (index, (left, right)) in zip(x, y).enumerated() {
                if let found = firstDifference(left, right, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            let same: Bool
            switch (a, b) {
            case (let x as NSNumber, let y as NSNumber): same = x == y
            case (let x as String, let y as String): same = x == y
            case (is NSNull, is NSNull): same = true
            default: same = false
            }
            return same ? nil : "\(path) \(a) → \(b)"
        }
    }

    /// Each batch an ingest record vouches for, and still in force, must give the recorded
    /// digest from its events now; every batch with events must be vouched for.
    private func verifyBatches(_ rows: [AuditRow]) throws -> (Int, [AuditFinding], [String]) {
        var recorded: [Int64: (seq: Int64, digest: String, source: String)] = [:]
        var removed = Set<Int64>()
        for row in rows {
            let details = try? JSONDecoder().decode(AnyJSON.self, from: Data(row.details.utf8))
            guard case .number(let batch)? = details?["batch"] else { continue }
            switch row.action {
            case "ingest":
                if case .string(let digest)? = details?["digest"], case .string(let source)? = details?["source"] {
                    recorded[Int64(batch)] = (row.seq, digest, source)
                }
                if case .array(let replaced)? = details?["replaced"] {
                    for case .number(let id) in replaced { removed.insert(Int64(id)) }
                }
            case "batch-remove":
                removed.insert(Int64(batch))
            default:
                break
            }
        }
        var findings: [AuditFinding] = []
        var checked = 0
        let digests = try store.batchDigests { RowSHA256() }
        let emptyDigest = RowSHA256().finish()
        for (batch, record) in recorded.sorted(by: { $0.key < $1.key }) where !removed.contains(batch) {
            checked += 1
            if (digests[batch] ?? emptyDigest) != record.digest {
                findings.append(AuditFinding(
                    kind: .eventsChanged, seq: record.seq,
                    message: "the events of batch \(batch) (\(record.source)) are not those recorded by record \(record.seq): "
                        + "an event was edited, added or deleted after it was stored"))
            }
        }
        var notes: [String] = []
        let unrecorded = digests.keys.sorted().filter { recorded[$0] == nil }
        let firstRecorded = recorded.keys.min() ?? .max
        let before = unrecorded.filter { $0 < firstRecorded }
        if !before.isEmpty {
            notes.append("batches \(before.map(String.init).joined(separator: ", ")) were ingested before the audit trail began; their events are not vouched for")
        }
        for batch in removed.sorted() where digests[batch] != nil {
            findings.append(AuditFinding(
                kind: .eventsUnrecorded, seq: nil, message: "events are stored under batch \(batch), which the trail records as removed"))
        }
        for batch in unrecorded where batch > firstRecorded && !removed.contains(batch) {
            findings.append(AuditFinding(
                kind: .eventsUnrecorded, seq: nil, message: "events are stored under batch \(batch), which no record of the trail covers"))
        }
        return (checked, findings, notes)
    }
}
