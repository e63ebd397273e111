import Foundation
import VerdictScript

/// A CSV importer plugin (`plugins/importers/NAME.lua`): maps one row of a job-management
/// export to zero or more events.
///
/// ```lua
/// return importer {
///   description = "Jobber jobs export",
///   columns = { "Job #", "Completed" },          -- required columns
///   known = { "Client email", "Notes" },          -- other columns it reads or leaves out on purpose
///   map = function(row, line) return { event = "job_completed", ... } end,
/// }
/// ```
///
/// Every column in neither list is a custom field of the contractor's account (`Builder Rep`,
/// `Crew 1`): it is kept on each of the row's events as a prop (see `customProps`).
public struct Importer {
    /// The importer's name (its file name).
    public let name: String
    /// What it reads.
    public let description: String
    /// Columns the export must have.
    public let columns: [String]
    /// Other columns the importer knows: read when present, or left out on purpose (addresses,
    /// phone numbers). Found whatever their capitals, like `columns`.
    public let known: [String]
    /// A general importer (an office spreadsheet): recognised by its header only when no
    /// importer of a particular software is.
    public let fallback: Bool
    /// `columns` and `known`, under their declared names.
    let declaredColumns: Set<String>
    /// SHA-256 over the importer's text and every module it required: a batch's identity
    /// includes it, so an export ingested again with a fixed importer is read again.
    public let seal: String
    /// Where it was declared.
    public let location: SourceLocation
    let map: LuaFunction
    let sandbox: LuaSandbox

    /// The date order `date_order()` gives it: the workspace's, or the one an ingest was told.
    public let dateOrder: DateOrder?

    /// Loads importer `name` from the workspace's plugins, then the bundled library; `dateOrder`
    /// overrides the workspace's for this export (`ingest --date-order`).
    public init(named name: String, workspace: Workspace, dateOrder: DateOrder? = nil) throws(ScriptError) {
        let path = workspace.pluginSearchPath
        let resolved: (source: String, chunkName: String)
        do {
            resolved = try path.resolve("importers." + name)
        } catch {
            throw ScriptError(kind: .io, message: "no importer \"\(name)\": \(error.message)")
        }
        let timeZone = workspace.timeZone
        sandbox = try workspace.makeSandbox()
        let localTimestamp: LuaSandbox.HostFunction = { call throws(LuaSandbox.HostError) in
            try Self.localTimestamp(call.arguments, timeZone: timeZone)
        }
        // `date_order()`: the workspace's date_order, for `dates.parse(text, date_order())`.
        let chosenOrder = dateOrder ?? workspace.settings.dateOrder
        self.dateOrder = chosenOrder
        let order = chosenOrder.map { LuaValue.string($0.rawValue) } ?? .nil
        let dateOrder: LuaSandbox.HostFunction = { _ throws(LuaSandbox.HostError) in order }
        let declaration = try sandbox.declaration(
            "importer", source: resolved.source, chunkName: resolved.chunkName,
            globals: ["local_timestamp": localTimestamp, "date_order": dateOrder])
        let reader = DeclarationReader(locator: FieldLocator(source: resolved.source), location: declaration.location)
        let fields = try reader.table(declaration.value, path: [])
        try fields.only(["description", "columns", "known", "fallback", "map"])
        guard case .function(let map) = declaration.value["map"] else {
            throw reader.error(["map"], "an importer needs map = function(row, line) ... end")
        }
        self.name = name
        self.map = map
        description = try fields.string("description", required: false) ?? name
        columns = try fields.stringList("columns")
        known = try fields.stringList("known")
        declaredColumns = Set(columns + known)
        fallback = try fields.bool("fallback") ?? false
        location = declaration.location
        seal = Seal(
            declared: "importer \(name)", script: Seal.SealedFile(path: resolved.chunkName, text: resolved.source),
            plugins: sandbox.loadedModules.map { Seal.SealedFile(path: $0.chunkName, text: $0.source) }
        ).hash
    }

    /// The row's custom fields (columns in neither `columns` nor `known`, not empty), as props,
    /// in the header's order. Two columns with the same prop name (`Builder Rep`, `BUILDER REP`)
    /// give the first that is not empty.
    func customProps(header: [String], cells: [String]) -> [(String, String)] {
        var props: [(String, String)] = []
        var taken = Set<String>()
        for (column, cell) in zip(header, cells) where !declaredColumns.contains(column) {
            let value = cell.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { continue }
            let name = Self.propName(column)
            if taken.insert(name).inserted { props.append((name, value)) }
        }
        return props
    }

    /// `props` with the custom fields added: what the importer set itself wins, and custom
    /// fields stop at the 50 props an event may carry (docs/events.md).
    static func adding(_ custom: [(String, String)], to props: [String: LuaValue]) -> [String: LuaValue] {
        var props = props
        for (name, value) in custom where props[name] == nil {
            guard props.count < EventValidator.maximumProps else { break }
            props[name] = .string(value)
        }
        return props
    }

    /// Whether a header (already trimmed) has every column this importer needs, whatever their capitals.
    func recognizes(_ header: [String]) -> Bool {
        let present = Set(header.map(Self.columnKey))
        return columns.allSatisfy { present.contains(Self.columnKey($0)) }
    }

    /// A column name as headers are compared: lower-cased, runs of spaces as one.
    static func columnKey(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The prop name a custom column is kept under: lower-case letters, digits and `_`
    /// (`Builder Rep` and `BUILDER REP` are both `builder_rep`; `Profit %` is `profit_percent`,
    /// `Job #` is `job_number`).
    static func propName(_ column: String) -> String {
        var out = ""
        var gap = false
        for character in column.lowercased() {
            let word: String? = switch character {
            case "%": "percent"
            case "#": "number"
            default: nil
            }
            if let word {
                if !out.isEmpty { out += "_" }
                out += word
                gap = true
            } else if character.isLetter || character.isNumber {
                if gap, !out.isEmpty { out += "_" }
                out.append(character)
                gap = false
            } else {
                gap = true
            }
        }
        if out.isEmpty { return "column" }
        while out.utf8.count > 64 { out.removeLast() }
        return out
    }

    /// The importer that reads a CSV whose header is `header` (Verdict's own columns absent):
    /// the one importer whose required columns the header has, else, when none does, the one
    /// `fallback` importer (a general spreadsheet) that does. Nil when none does; two that do
    /// are refused, never guessed between. An importer that does not load is left out.
    static func recognize(_ header: [String], source: String, workspace: Workspace, dateOrder: DateOrder? = nil) throws -> Importer? {
        let fitting = available(in: workspace).compactMap { try? Importer(named: $0.name, workspace: workspace, dateOrder: dateOrder) }
            .filter { $0.recognizes(header) }
        let particular = fitting.filter { !$0.fallback }
        let candidates = particular.isEmpty ? fitting : particular
        guard candidates.count <= 1 else {
            let names = candidates.map(\.name).sorted()
            throw IngestError.badHeader(
                source: source,
                reason: "the header fits the importers \(names.dropLast().joined(separator: ", ")) and \(names.last!); "
                    + "choose one with --importer \(names[0]) (or another)")
        }
        return candidates.first
    }

    /// The importers available to a workspace, by name, with their descriptions.
    public static func available(in workspace: Workspace) -> [(name: String, folder: String)] {
        var seen = Set<String>()
        var found: [(String, String)] = []
        for folder in workspace.pluginSearchPath.folders {
            let importers = folder.url.appendingPathComponent("importers")
            let files = (try? FileManager.default.contentsOfDirectory(at: importers, includingPropertiesForKeys: nil)) ?? []
            for file in files.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) where file.pathExtension == "lua" {
                let name = file.deletingPathExtension().lastPathComponent
                if seen.insert(name).inserted { found.append((name, "\(folder.displayName)/importers/\(file.lastPathComponent)")) }
            }
        }
        return found
    }

    /// The events of one row: `map` may return one event, a list of them, or nil.
    func events(of row: [String: String], line: Int) throws(ScriptError) -> [LuaValue] {
        let result = try sandbox.call(map, [.table(row.mapValues { .string($0) }), .integer(Int64(line))])
        switch result {
        case .nil: return []
        case .array(let events): return events
        case .table(let fields) where fields.isEmpty: return []
        default: return [result]
        }
    }

    /// `local_timestamp(year, month, day, hour, minute, second)`: the ISO 8601 text of a local
    /// time in the workspace's time zone, with the offset that applied then. A time skipped by
    /// a daylight-saving change moves forward; a repeated one takes its first occurrence.
    static func localTimestamp(_ arguments: [LuaValue], timeZone: TimeZone) throws(LuaSandbox.HostError) -> LuaValue {
        let numbers = arguments.map { $0.integerValue.map(Int.init) }
        guard numbers.count >= 3, numbers.count <= 6, numbers.allSatisfy({ $0 != nil }) else {
            throw LuaSandbox.HostError("local_timestamp expects whole numbers: year, month, day[, hour, minute, second]")
        }
        let values = numbers.map { $0! } + Array(repeating: 0, count: 6 - numbers.count)
        let (year, month, day, hour, minute, second) = (values[0], values[1], values[2], values[3], values[4], values[5])
        guard (1900...2999).contains(year), (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year, month),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else {
            throw LuaSandbox.HostError("local_timestamp: \(values.map(String.init).joined(separator: ", ")) is not a real date and time")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else {
            throw LuaSandbox.HostError("local_timestamp: no such local time")
        }
        let offset = timeZone.secondsFromGMT(for: date)
        let local = date.addingTimeInterval(Double(offset))
        let utcParts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: local)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let sign = offset < 0 ? "-" : "+"
        let text = "\(utcParts.year!)-\(two(utcParts.month!))-\(two(utcParts.day!))T\(two(utcParts.hour!)):\(two(utcParts.minute!)):\(two(utcParts.second!))"
            + "\(sign)\(two(abs(offset) / 3600)):\(two(abs(offset) % 3600 / 60))"
        return .string(text)
    }
}

@available(*, unavailable)
extension Importer: Sendable {}
