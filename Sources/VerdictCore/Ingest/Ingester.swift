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
public struct IngestReport: Sendable {
    /// The input as the user named it (`-` for standard input).
    public var source: String
    /// The format it was read as.
    public var format: IngestFormat
    /// Rows read, stored, duplicate and quarantined; or that the same content was ingested before.
    public var outcome: BatchOutcome
    /// The first quarantined rows, to show.
    public var quarantined: [QuarantinedRow]
}

/// Ingests event files into the workspace's store (`verdict ingest`).
public final class Ingester: Sendable {
    /// The store events go into.
    public let store: EventStore
    let timeZone: TimeZone
    let clock: any VerdictClock
    let workspace: Workspace

    /// Opens the workspace's store.
    public init(workspace: Workspace, clock: any VerdictClock) throws(StoreError) {
        self.workspace = workspace
        store = try workspace.openStore()
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
        replacing: Bool = false, progress: (@Sendable (IngestProgress) -> Void)? = nil
    ) throws -> IngestReport {
        let mapper = try importer.map { name throws(ScriptError) in try Importer(named: name, workspace: workspace) }
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
        let chosen = mapper != nil ? .csv : try format ?? Self.detectFormat(name: path, firstBytes: first)
        // Rows still in quarantine that this input may fix (the oldest first, enough for any fix loop).
        let unresolved = try store.quarantine(all: false, limit: Self.resolvableRows)
        let resolver = QuarantineResolver(entries: unresolved, kind: mapper.map { "importer:" + $0.name } ?? "event")
        let pipeline = IngestPipeline(
            input: handle, initial: first, format: chosen, sourceName: isStandardInput ? "-" : path, timeZone: timeZone,
            importer: mapper, resolver: resolver)
        // About 200 bytes an event: enough of a guess to choose how to maintain the indexes.
        let expectedRows = totalBytes.map { Int($0 / 200) }
        let outcome = try store.ingest(
            source: path, format: mapper.map { "csv:\($0.name)" } ?? chosen.rawValue, at: clock.nowMilliseconds(), expectedRows: expectedRows,
            replacing: replacing
        ) { writer in
            try pipeline.run(writer: writer) { read in progress?(IngestProgress(bytesRead: read, totalBytes: totalBytes)) }
        }
        let sample = try outcome.batchID.map { try store.quarantinedRows(batch: $0, limit: 20) } ?? []
        return IngestReport(source: path, format: chosen, outcome: outcome, quarantined: sample)
    }

    /// How many unresolved quarantined rows an ingest compares its rows with.
    static let resolvableRows = 10_000

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
