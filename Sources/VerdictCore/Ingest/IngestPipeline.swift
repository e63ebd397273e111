import Crypto
import Foundation
import VerdictScript
import VerdictStore

/// Streams one input into one batch: a reader thread hashes the bytes and cuts them into chunks
/// of whole records, worker threads parse and validate the chunks in parallel, and the calling
/// thread writes the results in input order inside the batch's transaction.
///
/// Memory stays bounded whatever the input size: at most `maximumChunksInFlight` chunks of about
/// `blockSize` bytes exist at once.
///
/// An input already in memory (no `input` handle: a request's body) is read, parsed and written
/// on the calling thread: starting threads would cost more than the rows.
final class IngestPipeline: @unchecked Sendable {
    static let blockSize = 1 << 20
    let maximumChunksInFlight: Int
    let workerCount: Int

    /// The rest of the input after `initial`; nil when `initial` is all of it.
    private let input: FileHandle?
    private let initial: [UInt8]
    private let format: IngestFormat
    private let sourceName: String
    private let timeZone: TimeZone
    /// The workspace's date_order, for CSV timestamps written as local dates.
    private let dateOrder: DateOrder?
    /// Maps rows to events; a Lua sandbox, so one worker only uses it.
    private let importer: Importer?
    /// Finds quarantined rows of earlier batches that this input's rows fix.
    private let resolver: QuarantineResolver?

    private let condition = NSCondition()
    private var pending: [Chunk] = []
    private var parsed: [Int: [RowResult]] = [:]
    private var chunksProduced = 0
    private var readerDone = false
    private var cancelled = false
    private var failure: (any Error)?
    private var inFlight = 0
    private(set) var bytesRead: Int64 = 0
    private var sha256 = ""
    /// A CSV source's header line as it was written.
    private var headerLine: String?
    private let threads = DispatchGroup()

    init(
        input: FileHandle?, initial: [UInt8], format: IngestFormat, sourceName: String, timeZone: TimeZone,
        dateOrder: DateOrder? = nil, importer: Importer? = nil, resolver: QuarantineResolver? = nil
    ) {
        self.dateOrder = dateOrder
        self.resolver = resolver.flatMap { $0.isEmpty ? nil : $0 }
        self.input = input
        self.initial = initial
        self.format = importer == nil ? format : .csv
        self.sourceName = sourceName
        self.timeZone = timeZone
        self.importer = importer
        workerCount = input == nil ? 0 : importer == nil ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        maximumChunksInFlight = input == nil ? .max : 2 * workerCount + 2
    }

    struct Chunk {
        var sequence: Int
        var bytes: [UInt8]
        var records: [Record]
        var header: [String]?
        /// Set when the reader already knows every record of the chunk is bad, and why.
        var failure: String? = nil
    }

    enum RowResult: Sendable {
        /// An event to store, and the quarantined rows (ids) it fixes.
        case event(Event, resolves: [Int64])
        case quarantine(QuarantinedRow)
        case blank
    }

    /// Runs the pipeline, writing every row through `writer`; returns the input's SHA-256.
    func run(writer: BatchWriter, progress: (Int64) -> Void) throws -> String {
        if input == nil { return try Self.write(prepare(), to: writer) }
        start { self.readAll() }
        for _ in 0..<workerCount { start { self.parseChunks() } }
        defer {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
            threads.wait()
        }
        var sequence = 0
        while true {
            condition.lock()
            while parsed[sequence] == nil && failure == nil && !(readerDone && sequence == chunksProduced) {
                condition.wait()
            }
            if let failure {
                condition.unlock()
                throw failure
            }
            guard let rows = parsed.removeValue(forKey: sequence) else {
                writer.header = headerLine
                condition.unlock()
                return sha256  // every chunk written
            }
            let read = bytesRead
            condition.unlock()

            try Self.write(rows, to: writer)
            progress(read)
            condition.lock()
            inFlight -= 1
            condition.broadcast()
            condition.unlock()
            sequence += 1
        }
    }

    /// An input held in memory, read and parsed, its rows ready to write.
    struct Prepared: Sendable {
        var rows: [RowResult]
        var sha256: String
        var header: String?
    }

    /// Reads and parses an input held in memory (no `input` handle) on this thread, outside any
    /// transaction: the server parses each request's body in its own task and the writer only writes.
    func prepare() throws -> Prepared {
        precondition(input == nil, "prepare() reads an input held in memory")
        readAll()
        if let failure { throw failure }
        var validator = makeValidator()
        var rows: [RowResult] = []
        for chunk in pending { rows += parse(chunk, validator: &validator) }
        pending.removeAll()
        return Prepared(rows: rows, sha256: sha256, header: headerLine)
    }

    /// A validator for this input's rows: a CSV of events reads local dates and times in the
    /// workspace's time zone and date order; JSON and an importer's events carry ISO 8601.
    private func makeValidator() -> EventValidator {
        EventValidator(timeZone: timeZone, localTimesIn: format == .csv && importer == nil ? .some(dateOrder) : nil)
    }

    /// Writes prepared rows through `writer`; returns the input's SHA-256.
    static func write(_ prepared: Prepared, to writer: BatchWriter) throws -> String {
        try write(prepared.rows, to: writer)
        writer.header = prepared.header
        return prepared.sha256
    }

    private static func write(_ rows: [RowResult], to writer: BatchWriter) throws {
        for row in rows {
            switch row {
            case .event(let event, let resolves):
                try writer.store(event)
                if !resolves.isEmpty { writer.resolve(resolves) }
            case .quarantine(let row): try writer.quarantine(row)
            case .blank: break
            }
        }
    }

    private func start(_ body: @escaping @Sendable () -> Void) {
        threads.enter()
        let thread = Thread { [threads] in
            body()
            threads.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: reading

    private func readAll() {
        var hasher = SHA256()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.blockSize * 2)
        var splitter = RecordSplitter(isCSV: format == .csv)
        var header: [String]?
        var block = initial
        var isFirstBlock = true
        do {
            while true {
                if !isFirstBlock { block = try readBlock() }
                if block.isEmpty { break }
                hasher.update(data: block)
                let byteOrderMark = isFirstBlock && block.starts(with: [0xEF, 0xBB, 0xBF])
                isFirstBlock = false
                let scanFrom = buffer.count
                buffer.append(contentsOf: block[(byteOrderMark ? 3 : 0)...])
                condition.lock()
                bytesRead += Int64(block.count)
                condition.unlock()
                var records: [Record] = []
                buffer.withUnsafeBufferPointer { splitter.scan($0, from: scanFrom, into: &records) }
                if !records.isEmpty { try emit(&buffer, &records, &header, &splitter) }
            }
            var records: [Record] = []
            buffer.withUnsafeBufferPointer { splitter.finish($0, into: &records) }
            if splitter.isInsideQuotes, let last = records.popLast() {
                let raw = Array(buffer[last.start..<last.end])  // before emit drops the bytes
                try emit(&buffer, &records, &header, &splitter)
                try enqueue(
                    Chunk(
                        sequence: 0, bytes: raw, records: [Record(start: 0, end: raw.count, line: last.line)],
                        header: header,
                        failure: "the file ends inside a quoted field (a closing quote is missing)"))
            } else {
                try emit(&buffer, &records, &header, &splitter)
            }
            sha256 = lowercaseHex(hasher.finalize())
            condition.lock()
            readerDone = true
            condition.broadcast()
            condition.unlock()
        } catch {
            fail(error)
        }
    }

    private func readBlock() throws -> [UInt8] {
        guard let data = try input?.read(upToCount: Self.blockSize) else { return [] }
        return [UInt8](data)
    }

    /// Hands the complete records in `buffer` to the workers and drops their bytes.
    private func emit(
        _ buffer: inout [UInt8], _ records: inout [Record], _ header: inout [String]?, _ splitter: inout RecordSplitter
    ) throws {
        if format == .csv, header == nil, !records.isEmpty {
            let first = records.removeFirst()
            header = try Self.parseHeader(buffer[first.start..<first.end], source: sourceName, importer: importer)
            var line = String(decoding: buffer[first.start..<first.end], as: UTF8.self)
            while line.hasSuffix("\n") || line.hasSuffix("\r") || line.hasSuffix("\r\n") { line.removeLast() }
            condition.lock()
            headerLine = line
            condition.unlock()
        }
        if let first = records.first, let last = records.last {
            let base = first.start
            let bytes = Array(buffer[base..<last.end])
            let rebased = records.map { Record(start: $0.start - base, end: $0.end - base, line: $0.line) }
            try enqueue(Chunk(sequence: 0, bytes: bytes, records: rebased, header: header))
        }
        let consumed = splitter.pendingStart
        if consumed > 0 {
            buffer.removeFirst(consumed)
            splitter.shift(by: consumed)
        }
        records.removeAll()
    }

    private func enqueue(_ chunk: Chunk) throws {
        condition.lock()
        defer { condition.unlock() }
        while inFlight >= maximumChunksInFlight && !cancelled { condition.wait() }
        if cancelled { throw CancellationError() }
        var numbered = chunk
        numbered.sequence = chunksProduced
        chunksProduced += 1
        inFlight += 1
        pending.append(numbered)
        condition.broadcast()
    }

    /// The column names of a CSV input's header row (its first record), trimmed; nil when the
    /// first bytes hold no whole header or it cannot be read (parseHeader then says why).
    static func headerNames(_ bytes: [UInt8]) -> [String]? {
        let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        var splitter = RecordSplitter(isCSV: true)
        var records: [Record] = []
        content.withUnsafeBufferPointer { splitter.scan($0, from: 0, into: &records) }
        if records.isEmpty { content.withUnsafeBufferPointer { splitter.finish($0, into: &records) } }
        guard let first = records.first else { return nil }
        let fields = content[first.start..<first.end].withUnsafeBufferPointer { CSV.fields($0) }
        guard case .success(let names) = fields else { return nil }
        return names.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func parseHeader(_ bytes: ArraySlice<UInt8>, source: String, importer: Importer?) throws -> [String] {
        let fields = bytes.withUnsafeBufferPointer { CSV.fields($0) }
        guard case .success(let names) = fields else {
            throw IngestError.badHeader(source: source, reason: "the header row cannot be read")
        }
        let trimmed = names.map { $0.trimmingCharacters(in: .whitespaces) }
        if let empty = trimmed.firstIndex(of: "") {
            throw IngestError.badHeader(source: source, reason: "column \(empty + 1) of the header has no name")
        }
        var seen = Set<String>()
        for name in trimmed where !seen.insert(name).inserted {
            throw IngestError.badHeader(source: source, reason: "the header names column \"\(name)\" twice")
        }
        if let importer {
            // Exports differ in capitals and spacing (`Service ZIP`, ` Closed Date `): a column the
            // importer declares is found whatever they are, and handed to it under its declared name.
            let key = Importer.columnKey
            let declared = Dictionary((importer.columns + importer.known).map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
            let named = trimmed.map { declared[key($0)] ?? $0 }
            var taken = Set<String>()
            for name in named where !taken.insert(name).inserted {
                throw IngestError.badHeader(source: source, reason: "the header names column \"\(name)\" twice (in different capitals or spacing)")
            }
            let missing = importer.columns.filter { !named.contains($0) }
            guard missing.isEmpty else {
                // The nearest name present, when it is a likely typo or shares a word (`Closed date` for `Completed date`).
                func words(_ name: String) -> Set<String> { Set(key(name).split(separator: " ").map(String.init).filter { $0.contains(where: \.isLetter) }) }
                let nearest = missing.compactMap { name -> String? in
                    guard let candidate = closestMatches(to: name, in: trimmed.filter { declared[key($0)] == nil }, count: 1).first,
                        closestMatch(to: name, in: [candidate]) != nil || !words(name).isDisjoint(with: words(candidate))
                    else { return nil }
                    return "\"\(candidate)\" for \"\(name)\""
                }
                throw IngestError.badHeader(
                    source: source,
                    reason: "the \(importer.name) importer needs the columns \(missing.map { "\"\($0)\"" }.joined(separator: ", ")) (the file has \(trimmed.joined(separator: ", "))"
                        + (nearest.isEmpty ? ")" : "; nearest: \(nearest.joined(separator: ", ")))"))
            }
            return named
        }
        guard trimmed.contains("event"), trimmed.contains("timestamp") else {
            throw IngestError.badHeader(
                source: source,
                reason: "the header needs at least the columns event and timestamp (it has \(trimmed.joined(separator: ", "))), "
                    + "and it has the required columns of no importer: name one with --importer NAME (docs/importers.md)")
        }
        return trimmed
    }

    // MARK: parsing

    private func parseChunks() {
        var validator = makeValidator()
        while true {
            condition.lock()
            while pending.isEmpty && !readerDone && !cancelled { condition.wait() }
            if cancelled || pending.isEmpty {
                condition.unlock()
                return
            }
            let chunk = pending.removeFirst()
            condition.unlock()

            let rows = parse(chunk, validator: &validator)
            condition.lock()
            parsed[chunk.sequence] = rows
            condition.broadcast()
            condition.unlock()
        }
    }

    private func parse(_ chunk: Chunk, validator: inout EventValidator) -> [RowResult] {
        var rows: [RowResult] = []
        rows.reserveCapacity(chunk.records.count)
        chunk.bytes.withUnsafeBufferPointer { all in
            for record in chunk.records {
                let bytes = UnsafeBufferPointer(rebasing: all[record.start..<record.end])
                if let failure = chunk.failure {
                    let raw = String(decoding: bytes, as: UTF8.self)
                    rows.append(.quarantine(QuarantinedRow(source: sourceName, line: record.line, reason: failure, raw: raw)))
                    continue
                }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    rows.append(.blank)
                    continue
                }
                if let importer {
                    rows.append(contentsOf: importedRows(bytes, header: chunk.header ?? [], line: record.line, importer: importer, validator: &validator))
                    continue
                }
                let fields: Result<RawEvent, ValidationFailure>
                switch format {
                case .jsonl:
                    fields = JSONLineParser.parse(bytes).mapError { ValidationFailure($0.message) }
                case .csv:
                    fields = Self.csvFields(bytes, header: chunk.header ?? [])
                }
                let result = fields.flatMap { validator.validate($0) }
                switch result {
                case .success(let event):
                    var resolves: [Int64] = []
                    if let resolver, case .success(let raw) = fields {
                        resolves = resolver.resolved(by: QuarantineResolver.cells(of: raw))
                    }
                    rows.append(.event(event, resolves: resolves))
                case .failure(let failure):
                    rows.append(
                        .quarantine(
                            QuarantinedRow(
                                source: sourceName, line: record.line, reason: failure.message,
                                raw: String(decoding: bytes, as: UTF8.self))))
                }
            }
        }
        return rows
    }

    /// The events an importer makes of one CSV record, each validated like any event.
    private func importedRows(
        _ bytes: UnsafeBufferPointer<UInt8>, header: [String], line: Int, importer: Importer, validator: inout EventValidator
    ) -> [RowResult] {
        let raw = String(decoding: bytes, as: UTF8.self)
        func quarantine(_ reason: String) -> RowResult {
            .quarantine(QuarantinedRow(source: sourceName, line: line, reason: reason, raw: raw))
        }
        let cells: [String]
        switch CSV.fields(bytes) {
        case .failure(let failure): return [quarantine("malformed CSV: \(failure.message)")]
        case .success(let fields): cells = fields
        }
        guard cells.count == header.count else { return [quarantine("has \(cells.count) fields but the header has \(header.count)")] }
        let resolves = resolver.flatMap { resolver in
            QuarantineResolver.cells(header: header, record: cells).map { resolver.resolved(by: $0) }
        } ?? []
        let events: [LuaValue]
        do {
            events = try importer.events(of: Dictionary(zip(header, cells), uniquingKeysWith: { first, _ in first }), line: line)
        } catch {
            return [quarantine("the \(importer.name) importer failed on this row: \(error)")]
        }
        let custom = importer.customProps(header: header, cells: cells)
        return events.enumerated().map { index, value in
            let prefix = events.count > 1 ? "event \(index + 1) of \(events.count): " : ""
            guard var fields = value.tableValue else {
                return quarantine("\(prefix)the \(importer.name) importer returned \(value.typeName), not an event table")
            }
            if !custom.isEmpty {
                switch fields["props"] ?? .nil {
                case .nil, .array([]): fields["props"] = .table(Importer.adding(custom, to: [:]))
                case .table(let props): fields["props"] = .table(Importer.adding(custom, to: props))
                default: break  // not a table: validation says so
                }
            }
            switch validator.validate(RawEvent(fields)) {
            case .success(let event): return .event(event, resolves: resolves)
            case .failure(let failure): return quarantine(prefix + failure.message)
            }
        }
    }

    /// A CSV record as an event's fields: schema columns into their slots, other columns into
    /// props; empty cells left out.
    static func csvFields(_ bytes: UnsafeBufferPointer<UInt8>, header: [String]) -> Result<RawEvent, ValidationFailure> {
        switch CSV.fields(bytes) {
        case .failure(let failure):
            return .failure(ValidationFailure("malformed CSV: \(failure.message)"))
        case .success(let cells):
            guard cells.count == header.count else {
                return .failure(ValidationFailure("has \(cells.count) fields but the header has \(header.count)"))
            }
            var event = RawEvent()
            var props: [(String, FieldValue)] = []
            for (name, cell) in zip(header, cells) where !cell.isEmpty {
                if let field = EventField.named(name), field != .props {
                    event.set(field, .text(cell))
                } else {
                    props.append((name, .string(cell)))
                }
            }
            if !props.isEmpty { event[.props] = .object(props) }
            return .success(event)
        }
    }
}

/// The formats `verdict ingest` reads.
public enum IngestFormat: String, Sendable, CaseIterable {
    /// One JSON object per line.
    case jsonl
    /// Comma-separated values with a header row of schema names.
    case csv
}

/// An ingest that could not run at all (as opposed to rows that were quarantined).
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input file cannot be opened or read.
    case unreadable(source: String, reason: String)
    /// A CSV header that makes every row unreadable.
    case badHeader(source: String, reason: String)
    /// The format cannot be told from the name or the content.
    case unknownFormat(source: String, reason: String)

    /// A message naming the input; what it quotes of the input has its control characters escaped.
    public var description: String {
        let text = switch self {
        case .unreadable(let source, let reason): "\(source): \(reason)"
        case .badHeader(let source, let reason): "\(source):1: \(reason)"
        case .unknownFormat(let source, let reason): "\(source): \(reason)"
        }
        return text.escapingControlCharacters
    }
}
