import Crypto
import Foundation
import VerdictScript
import VerdictStore

/// How far an ingest has got, for a progress bar.
public struct IngestProgress: Sendable {
    /// Bytes read so far.
    public var bytesRead: Int64
    /// The input's size, when it is a regular file.
    public var totalBytes: Int64?
}

/// What one input's ingest did.
public struct IngestReport: Sendable, Encodable {
    /// The input as the user named it (`-` for standard input).
    public var source: String
    /// The format it was read as.
    public var format: IngestFormat
    /// Rows read, stored, skipped and quarantined; or that the same content was ingested before.
    public var outcome: IngestOutcome
    /// The first quarantined rows, to show.
    public var quarantined: [QuarantineItem]
    /// The importer that read it, if one did.
    public var importer: String?
    /// Whether ingest chose that importer itself, from the file's header.
    public var recognized: Bool
    /// What to do about its quarantined rows, when Verdict can tell (another date order).
    public var hint: String?

    public init(
        source: String, format: IngestFormat, outcome: IngestOutcome, quarantined: [QuarantineItem], importer: String? = nil,
        recognized: Bool = false
    ) {
        self.source = source
        self.format = format
        self.outcome = outcome
        self.quarantined = quarantined
        self.importer = importer
        self.recognized = recognized
    }

    enum CodingKeys: String, CodingKey {
        case source, format, importer, hint
        case quarantined = "quarantine_sample"
        case recognized = "importer_recognized"
    }

    /// The outcome's fields beside the source's, as `ingest --json` prints each batch.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(format.rawValue, forKey: .format)
        try c.encode(importer, forKey: .importer)
        try c.encode(recognized, forKey: .recognized)
        try c.encodeIfPresent(hint, forKey: .hint)
        try c.encode(quarantined, forKey: .quarantined)
        try outcome.encode(to: encoder)
    }
}

/// What happened to one ingested batch.
public struct IngestOutcome: Sendable, Equatable, Encodable {
    /// The batch's id, or nil when nothing was stored because the same file was ingested before.
    @NullEncoded public var batchID: Int64?
    public var rowsRead: Int
    public var stored: Int
    /// Rows not stored because their event_id was already stored.
    public var duplicates: Int
    /// Rows without an event_id not stored because earlier batches stored the same row.
    public var identical: Int
    public var quarantined: Int
    /// Quarantined rows of earlier batches that this batch stored fixed.
    public var resolved: Int
    /// The batches this one replaced (`ingest --replace`).
    public var replaced: [BatchRemoval]
    /// When the same content was ingested before: that batch, and when (UTC).
    @NullEncoded public var alreadyIngested: EarlierBatch?

    /// The batch that already holds the same content.
    public struct EarlierBatch: Sendable, Equatable, Encodable {
        public var batchID: Int64
        public var at: String

        enum CodingKeys: String, CodingKey {
            case at
            case batchID = "batch_id"
        }
    }

    /// An outcome (the tests' way to state one).
    public init(
        batchID: Int64?, rowsRead: Int, stored: Int, duplicates: Int, quarantined: Int, identical: Int = 0, resolved: Int = 0,
        replaced: [BatchRemoval] = [], alreadyIngested: EarlierBatch? = nil
    ) {
        self.batchID = batchID
        self.rowsRead = rowsRead
        self.stored = stored
        self.duplicates = duplicates
        self.quarantined = quarantined
        self.identical = identical
        self.resolved = resolved
        self.replaced = replaced
        self.alreadyIngested = alreadyIngested
    }

    init(_ outcome: BatchOutcome) {
        self.init(
            batchID: outcome.batchID, rowsRead: outcome.rowsRead, stored: outcome.stored, duplicates: outcome.duplicates,
            quarantined: outcome.quarantined, identical: outcome.identical, resolved: outcome.resolved,
            replaced: outcome.replaced.map(BatchRemoval.init),
            alreadyIngested: outcome.alreadyIngested.map { EarlierBatch(batchID: $0.batchID, at: utcTime($0.at)) })
    }

    enum CodingKeys: String, CodingKey {
        case stored, duplicates, identical, quarantined, resolved, replaced
        case batchID = "batch_id", rowsRead = "rows_read", alreadyIngested = "already_ingested"
    }
}

/// Every input of one `verdict ingest`, as `--json` prints it.
public struct IngestRun: Sendable, Encodable {
    public var batches: [IngestReport]
    /// Inputs that could not be read at all, each with its reason.
    public var errors: [String]

    /// Sums over the inputs.
    public struct Totals: Sendable, Encodable {
        public var stored = 0, duplicates = 0, identical = 0, quarantined = 0
    }

    public var totals: Totals {
        batches.reduce(into: Totals()) { totals, report in
            totals.stored += report.outcome.stored
            totals.duplicates += report.outcome.duplicates
            totals.identical += report.outcome.identical
            totals.quarantined += report.outcome.quarantined
        }
    }

    public init(batches: [IngestReport], errors: [String]) {
        self.batches = batches
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey { case batches, errors, totals }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(batches, forKey: .batches)
        try c.encode(errors, forKey: .errors)
        try c.encode(totals, forKey: .totals)
    }
}

/// Ingests event files into the workspace's store (`verdict ingest`).
public final class Ingester: Sendable {
    /// The store events go into.
    let store: EventStore
    let timeZone: TimeZone
    let clock: any VerdictClock
    let workspace: Workspace
    /// Who ingests, for the audit trail.
    let actor: String

    /// Opens the workspace's store; each batch goes on the audit trail under `actor`.
    ///
    /// `durable`: each batch's commit waits until the disk has it (see `EventStore`).
    public init(workspace: Workspace, clock: any VerdictClock, actor: String, durable: Bool = false) throws {
        self.workspace = workspace
        self.actor = actor
        store = try workspace.openStore(durable: durable)
        timeZone = workspace.timeZone
        self.clock = clock
    }

    /// Ingests one file (or standard input, named `-`) as one batch.
    ///
    /// With `importer`, the file is a CSV export that the importer plugin of that name maps to
    /// events. With `replacing`, the batches in force from the same source are removed in the
    /// same transaction (a corrected export replaces the one before it).
    public func ingest(
        _ path: String, relativeTo folder: URL = .currentFolder, format: IngestFormat? = nil, importer: String? = nil,
        replacing: Bool = false, source sourceName: String? = nil, encoding: TextEncoding? = nil, dateOrder: DateOrder? = nil,
        progress: (@Sendable (IngestProgress) -> Void)? = nil
    ) throws -> IngestReport {
        let source = sourceName ?? path
        let order = dateOrder ?? workspace.settings.dateOrder
        var mapper = try importer.map { name throws(ScriptError) in try Importer(named: name, workspace: workspace, dateOrder: dateOrder) }
        let isStandardInput = path == "-"
        let handle: FileHandle
        var totalBytes: Int64?
        if isStandardInput {
            handle = .standardInput
        } else {
            let url = URL(fileURLWithPath: path, relativeTo: folder)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw IngestError.unreadable(source: path, reason: "no such file")
            }
            guard !isDirectory.boolValue else { throw IngestError.unreadable(source: path, reason: "is a folder, not a file") }
            do {
                handle = try FileHandle(forReadingFrom: url)
            } catch {
                throw IngestError.unreadable(source: path, reason: "cannot be opened (\(error.localizedDescription))")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
            totalBytes = size
        }
        defer { if !isStandardInput { try? handle.close() } }

        let first: [UInt8]
        do {
            first = [UInt8](try handle.read(upToCount: IngestPipeline.blockSize) ?? Data())
        } catch {
            throw IngestError.unreadable(source: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        var textEncoding: TextEncoding
        switch encoding.map(TextEncoding.Detection.encoding) ?? TextEncoding.detect(first) {
        case .encoding(let found): textEncoding = found
        case .unreadable(let reason): throw IngestError.unreadable(source: path, reason: reason)
        }
        if encoding == nil, textEncoding == .windows1252, mapper == nil, try format ?? Self.detectFormat(name: path, firstBytes: first) == .jsonl {
            // JSON is UTF-8 (RFC 8259): a line with other bytes is quarantined, not read as Windows-1252.
            textEncoding = .utf8
        }
        // An importer's export is read and mapped whole before the write begins: its Lua runs as
        // long as it runs without holding up other writers. So is a file in another encoding
        // than UTF-8, to be stored as UTF-8 (spreadsheet exports: small). UTF-8 files of events
        // stream (memory stays bounded whatever the size) at the parser's speed.
        var whole: [UInt8]?
        func readWhole() throws {
            guard whole == nil else { return }
            let rest: Data
            do {
                rest = try handle.readToEnd() ?? Data()
            } catch {
                throw IngestError.unreadable(source: path, reason: "cannot be read (\(error.localizedDescription))")
            }
            whole = textEncoding == .utf8 ? first + rest : textEncoding.utf8(first + rest)
        }
        if mapper != nil || textEncoding != .utf8 { try readWhole() }
        var chosen = mapper != nil ? .csv : try format ?? Self.detectFormat(name: path, firstBytes: whole.map { Array($0.prefix(4096)) } ?? first)
        // A CSV without Verdict's own columns may be a known export: the importer whose columns
        // its header has reads it (docs/importers.md, "Recognising an export").
        var recognized = false
        if mapper == nil, chosen == .csv, let header = IngestPipeline.headerNames(Array((whole ?? first).prefix(256 * 1024))),
            !(header.contains("event") && header.contains("timestamp"))
        {
            mapper = try Importer.recognize(header, source: path, workspace: workspace, dateOrder: dateOrder)
            recognized = mapper != nil
            if mapper != nil { try readWhole() }
        }
        if mapper != nil { chosen = .csv }
        let batchFormat = mapper.map { "csv:\($0.name)" } ?? chosen.rawValue
        // The same file through the same importer (the same seal) is the same batch: asked
        // before the importer runs. A fixed importer makes a new identity, so the file is read again.
        if let mapper, let whole, !replacing {
            let identity = Self.identity(fileSHA256: lowercaseHex(SHA256.hash(data: whole)), importer: mapper)
            if let earlier = try store.batch(identity: identity) {
                let outcome = BatchOutcome(batchID: nil, rowsRead: 0, stored: 0, duplicates: 0, quarantined: 0, alreadyIngested: earlier)
                return IngestReport(
                    source: source, format: chosen, outcome: IngestOutcome(outcome), quarantined: [], importer: mapper.name,
                    recognized: recognized)
            }
        }
        // Rows still in quarantine that this input may fix (the oldest first, enough for any fix loop).
        let unresolved = try unresolvedQuarantine()
        let resolver = QuarantineResolver(entries: unresolved, kind: mapper.map { "importer:" + $0.name } ?? "event")
        var prepared: IngestPipeline.Prepared?
        var fileSHA256: String?
        if let whole {
            prepared = try IngestPipeline(
                input: nil, initial: whole, format: chosen, sourceName: isStandardInput ? "-" : source, timeZone: timeZone, dateOrder: order,
                importer: mapper, resolver: resolver
            ).prepare()
            if let mapper {
                fileSHA256 = prepared!.sha256
                prepared!.sha256 = Self.identity(fileSHA256: prepared!.sha256, importer: mapper)
            }
            progress?(IngestProgress(bytesRead: totalBytes ?? Int64(whole.count), totalBytes: totalBytes))
        }
        let streamed = prepared != nil ? nil : IngestPipeline(
            input: handle, initial: first, format: chosen, sourceName: isStandardInput ? "-" : source, timeZone: timeZone, dateOrder: order,
            resolver: resolver)
        // About 200 bytes an event: enough of a guess to choose how to maintain the indexes.
        let expectedRows = totalBytes.map { Int($0 / 200) }
        let now = clock.nowMilliseconds()
        let actor = actor
        let importerSeal = mapper.map { (name: $0.name, seal: $0.seal) }
        let fileHash = fileSHA256
        let outcome = try store.ingest(
            source: source, format: batchFormat, at: now, expectedRows: expectedRows,
            replacing: replacing, digester: { RowSHA256() },
            audit: { outcome in
                AuditTrail.maker(
                    at: now, changeID: "", actor: actor, action: "ingest",
                    details: IngestAuditDetails(outcome, source: source, importer: importerSeal, fileSHA256: fileHash))
            }
        ) { writer in
            try ChangeTimeline.stampEvents(of: writer)
            guard let streamed else { return try IngestPipeline.write(prepared!, to: writer) }
            return try streamed.run(writer: writer) { read in progress?(IngestProgress(bytesRead: read, totalBytes: totalBytes)) }
        }
        let sample = try outcome.batchID.map { batch in
            try store.quarantinedRows(batch: batch, limit: 20).map { QuarantineItem(batch: batch, row: $0) }
        } ?? []
        var report = IngestReport(
            source: source, format: chosen, outcome: IngestOutcome(outcome), quarantined: sample, importer: mapper?.name,
            recognized: recognized)
        report.hint = Self.dateOrderHint(sample, path: path, order: order)
        return report
    }

    /// When rows were refused because their dates cannot be in the order read (11/25/2026 day
    /// first), the file likely writes the other order: how to read it again that way. Rows read
    /// in the wrong order were stored wrong, so `--replace` takes them out in the same go.
    static func dateOrderHint(_ sample: [QuarantineItem], path: String, order: DateOrder?) -> String? {
        guard let order, order != .yearFirst, sample.contains(where: { $0.reason.contains("is not a date in \(order.rawValue) order") }) else {
            return nil
        }
        let other: DateOrder = order == .dayFirst ? .monthFirst : .dayFirst
        return "some dates cannot be \(order.rawValue); if the file writes them \(other.rawValue), read it again: "
            + "verdict ingest \(path) --date-order \(other.rawValue) --replace"
    }

    /// A batch's identity (its `sha256` in the store): the file's SHA-256, or for a file read
    /// through an importer, SHA-256 of `verdict-import 1 LF <file's SHA-256> LF <importer> LF
    /// <seal> LF <date order>` (the order it read dates in; empty when none).
    static func identity(fileSHA256: String, importer: Importer) -> String {
        let text = "verdict-import 1\n\(fileSHA256)\n\(importer.name)\n\(importer.seal)\n\(importer.dateOrder?.rawValue ?? "")"
        return lowercaseHex(SHA256.hash(data: Data(text.utf8)))
    }

    /// A body of events sent over the network, the batch's name, and who sent it.
    public struct Submission: Sendable {
        public var body: Data
        public var source: String
        public var actor: String

        public init(body: Data, source: String, actor: String) {
            self.body = body
            self.source = source
            self.actor = actor
        }
    }

    /// Ingests several bodies, each as a batch of its own with its own audit record, in one
    /// transaction: one commit for all. Each batch is deduplicated against the ones before it as
    /// if they came one after another. A body that cannot be read answers its error and stores
    /// nothing; the others go in.
    public func ingest(bodies: [Submission]) throws -> [Result<IngestReport, any Error>] {
        let context = try context()
        let prepared = bodies.map { prepare($0, context: context) }
        let written = try write(prepared.compactMap { try? $0.get() })
        var next = written.makeIterator()
        return prepared.map { body in body.flatMap { _ in next.next()! } }
    }

    /// What bodies are read against: the quarantined rows they may fix. Read from the store
    /// when made. (Which change an event that names none belongs to is decided when it is
    /// written, inside the transaction.)
    public struct Context: Sendable {
        let resolver: QuarantineResolver
    }

    public func context() throws -> Context {
        Context(resolver: QuarantineResolver(entries: try unresolvedQuarantine(), kind: "event"))
    }

    /// A body read and parsed, ready to be written as its batch.
    public struct PreparedBody: Sendable {
        public let source: String
        public let actor: String
        /// The body's size, sent.
        public let bytes: Int
        let prepared: IngestPipeline.Prepared
        /// The batch's format as stored (`jsonl`; `hook:PROVIDER` for a webhook delivery's events).
        var format = IngestFormat.jsonl.rawValue
        /// The webhook delivery it is made of, marked mapped in the batch's own savepoint.
        var delivery: (id: Int64, status: String, topic: String?)?

        /// Whether it has rows for quarantine.
        var quarantines: Bool {
            prepared.rows.contains { if case .quarantine = $0 { true } else { false } }
        }
    }

    /// Reads and validates a body, without the store: its rows, its quarantined lines, its
    /// SHA-256. `context` may be a little old: a row quarantined since is not fixed by this body.
    public func prepare(_ submission: Submission, context: Context) -> Result<PreparedBody, any Error> {
        Result {
            let lines = try EventBody.lines(submission.body, source: submission.source)
            let pipeline = IngestPipeline(
                input: nil, initial: lines, format: .jsonl, sourceName: submission.source, timeZone: timeZone,
                resolver: context.resolver)
            return PreparedBody(
                source: submission.source, actor: submission.actor, bytes: submission.body.count, prepared: try pipeline.prepare())
        }
    }

    /// Writes prepared bodies, a batch each, in one transaction (see `ingest(bodies:)`).
    public func write(_ bodies: [PreparedBody]) throws -> [Result<IngestReport, any Error>] {
        guard !bodies.isEmpty else { return [] }
        let now = clock.nowMilliseconds()
        let timeline = ChangeTimeline.Shared()
        let outcomes = try store.ingest(group: bodies.map { body in
            let (source, actor, prepared) = (body.source, body.actor, body.prepared)
            var batch = EventStore.PendingBatch(
                source: source, format: body.format, at: now, digester: { RowSHA256() },
                audit: { outcome in
                    AuditTrail.maker(at: now, changeID: "", actor: actor, action: "ingest", details: IngestAuditDetails(outcome, source: source))
                },
                body: { writer in
                    try timeline.stampEvents(of: writer)
                    return try IngestPipeline.write(prepared, to: writer)
                })
            batch.delivery = body.delivery
            return batch
        })
        return zip(bodies, outcomes).map { body, outcome in
            Result {
                let outcome = try outcome.get()
                let sample = try outcome.batchID.map { id in
                    outcome.quarantined == 0 ? [] : try store.quarantinedRows(batch: id, limit: 20).map { QuarantineItem(batch: id, row: $0) }
                } ?? []
                return IngestReport(source: body.source, format: .jsonl, outcome: IngestOutcome(outcome), quarantined: sample)
            }
        }
    }

    /// The quarantined rows an ingest compares its rows with, to find those it fixes.
    func unresolvedQuarantine() throws -> [QuarantineEntry] {
        try store.quarantine(all: false, limit: Self.resolvableRows, maxRawBytes: Self.largestResolvableRow)
    }

    /// How many unresolved quarantined rows an ingest compares its rows with.
    static let resolvableRows = 10_000
    /// Quarantined rows longer than this (64 KB) are not compared: no event is that long, and a
    /// huge line (one was 50 MB) would cost every later ingest its parse and its memory.
    static let largestResolvableRow = 64 * 1024

    /// The format from the file's extension, else from its first bytes.
    static func detectFormat(name: String, firstBytes: [UInt8]) throws -> IngestFormat {
        let lowered = name.lowercased()
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".json") { return .jsonl }
        if lowered.hasSuffix(".csv") { return .csv }
        let content = firstBytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(firstBytes.dropFirst(3)) : firstBytes
        guard let first = content.first(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }) else { return .jsonl }
        switch first {
        case UInt8(ascii: "{"): return .jsonl
        case UInt8(ascii: "["):
            throw IngestError.unknownFormat(
                source: name, reason: "holds a JSON array; verdict ingest reads JSON lines (one object per line) or CSV")
        default: return .csv
        }
    }
}

/// An ingest batch's record on the audit trail: its counts, the file's SHA-256 and the digest
/// of the rows it stored, which `audit verify` recomputes from the events.
struct IngestAuditDetails: Encodable {
    var batch: Int64
    var source: String
    var sha256: String
    var digest: String
    var rowsRead, stored, duplicates, identical, quarantined, resolved: Int
    var replaced: [Int64]
    /// For a file read through an importer: the importer and its seal (`sha256` is then the
    /// batch's identity, and `file_sha256` the file's own).
    var importer: String?
    var importerSeal: String?
    var fileSHA256: String?

    init(_ outcome: BatchOutcome, source: String, importer: (name: String, seal: String)? = nil, fileSHA256: String? = nil) {
        batch = outcome.batchID ?? 0
        self.source = source
        sha256 = outcome.sha256 ?? ""
        digest = outcome.digest ?? ""
        rowsRead = outcome.rowsRead
        stored = outcome.stored
        duplicates = outcome.duplicates
        identical = outcome.identical
        quarantined = outcome.quarantined
        resolved = outcome.resolved
        replaced = outcome.replaced.map(\.id)
        self.importer = importer?.name
        importerSeal = importer?.seal
        self.fileSHA256 = fileSHA256
    }

    enum CodingKeys: String, CodingKey {
        case batch, source, sha256, digest, stored, duplicates, identical, quarantined, resolved, replaced, importer
        case rowsRead = "rows_read", importerSeal = "importer_seal", fileSHA256 = "file_sha256"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(batch, forKey: .batch)
        try c.encode(source, forKey: .source)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(digest, forKey: .digest)
        try c.encode(rowsRead, forKey: .rowsRead)
        try c.encode(stored, forKey: .stored)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(identical, forKey: .identical)
        try c.encode(quarantined, forKey: .quarantined)
        try c.encode(resolved, forKey: .resolved)
        try c.encode(replaced, forKey: .replaced)
        try c.encodeIfPresent(importer, forKey: .importer)
        try c.encodeIfPresent(importerSeal, forKey: .importerSeal)
        try c.encodeIfPresent(fileSHA256, forKey: .fileSHA256)
    }
}
