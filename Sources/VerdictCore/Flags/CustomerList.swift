import Crypto
import Foundation
import VerdictScript
import VerdictStore

/// A CSV of customers or of the day's appointments, each row given its arm by a change's flag:
/// what `verdict assign` writes and `verdict today` tells the office. The arm is the one
/// bucketing every surface uses (`FlagStatus.assign`), so the office, the website and OFREP
/// agree on who gets the change.
public struct CustomerList: Sendable, Encodable {
    public var changeID: String
    public var flag: String
    /// The local day the arms are for (a switchback's day, the flag as it stands).
    public var day: String
    public var source: String
    /// The column that names the customer.
    public var keyColumn: String
    /// Where each row's cohort came from, in words (`the column Segment`, `new_customer for
    /// every row`), or nil when the change targets everyone.
    public var cohort: String?
    public var rows: [Row]
    /// Distinct customers per arm.
    public var control: Int
    public var treatment: Int
    /// Rows with no customer in the key column: they get the control and are not on the list.
    public var withoutKey: Int
    /// SHA-256 of `text` as handed out.
    public var digest: String
    /// The list's number on record, and whether it was recorded by this call (false: the same
    /// list for the same day was recorded before).
    public var listID: Int64?
    public var recorded: Bool = false
    /// Stored events of its customers that got their variant from the list.
    public var stamped: Int = 0
    /// The CSV with `verdict_arm` and `verdict_variant` added to every row.
    public var text: String

    /// One row of the list.
    public struct Row: Sendable, Encodable {
        public var line: Int
        public var key: String
        public var cohort: String?
        public var arm: String
        public var variant: String
        /// The row's other cells by column name, for the office's page.
        public var cells: [String]
    }

    /// The columns the list's rows have, as the file names them.
    public var header: [String]

    enum CodingKeys: String, CodingKey {
        case flag, day, source, cohort, rows, control, treatment, digest, recorded, stamped, header
        case changeID = "change_id", keyColumn = "key_column", withoutKey = "without_key", listID = "list"
    }

    /// The columns that name a customer when `--key` is not given, in the order they are tried:
    /// what the importers keep as `user_id` (docs/importers.md).
    public static let keyColumns = [
        "user_id", "customer_id", "customer id", "client id", "customer", "client name", "client", "name", "email", "client email",
        "phone", "mobile phone",
    ]

    /// The columns that give a row's cohort when `--cohort` is not given.
    static let cohortColumns = ["user_cohort", "cohort"]

    /// Reads `data` (a CSV in UTF-8, UTF-16 with its mark, or Windows-1252) and gives each row
    /// its arm under `flag` on `day`. `key` names the customer column (else the first of
    /// `keyColumns` present); `cohort` is a column, or the one cohort of every row.
    static func make(
        _ data: Data, source: String, flag: FlagStatus, day: LocalDay, key: String?, cohort: String?, encoding: TextEncoding?
    ) throws -> CustomerList {
        let bytes = [UInt8](data)
        let chosen: TextEncoding
        switch encoding.map(TextEncoding.Detection.encoding) ?? TextEncoding.detect(Array(bytes.prefix(IngestPipeline.blockSize))) {
        case .encoding(let found): chosen = found
        case .unreadable(let why): throw AssignError.unreadable("\(source): \(why)")
        }
        let utf8 = chosen.utf8(bytes)
        var records: [Record] = []
        var splitter = RecordSplitter(isCSV: true)
        utf8.withUnsafeBufferPointer { buffer in
            splitter.scan(buffer, from: 0, into: &records)
            splitter.finish(buffer, into: &records)
        }
        if splitter.isInsideQuotes { throw AssignError.unreadable("\(source): the file ends inside a quoted cell") }
        let newline = utf8.firstIndex(of: 0x0A).map { $0 > 0 && utf8[$0 - 1] == 0x0D ? "\r\n" : "\n" } ?? "\n"
        func fields(_ record: Record) throws -> [String] {
            try utf8.withUnsafeBufferPointer { buffer in
                switch CSV.fields(UnsafeBufferPointer(rebasing: buffer[record.start..<record.end])) {
                case .success(let fields): return fields
                case .failure(let failure): throw AssignError.unreadable("\(source):\(record.line): \(failure.message)")
                }
            }
        }
        func raw(_ record: Record) -> String { String(decoding: utf8[record.start..<record.end], as: UTF8.self) }
        guard let headerRecord = records.first else { throw AssignError.unreadable("\(source): the file is empty; it needs a header row") }
        let header = try fields(headerRecord)
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let taken = names.firstIndex(where: { $0 == "verdict_arm" || $0 == "verdict_variant" }) {
            throw AssignError.unreadable("\(source): it has a \(header[taken]) column already; assign the list as it was before")
        }
        func column(_ name: String) -> Int? { names.firstIndex(of: name.trimmingCharacters(in: .whitespaces).lowercased()) }
        let keyIndex: Int
        if let key {
            guard let found = column(key) else {
                throw AssignError.missingColumn(
                    "\(source): there is no column \"\(key)\"\(closestMatch(to: key, in: header).map { " (did you mean \"\($0)\"?)" } ?? ""); "
                        + "the columns are \(header.joined(separator: ", "))")
            }
            keyIndex = found
        } else {
            guard let found = keyColumns.lazy.compactMap(column).first else {
                throw AssignError.missingColumn(
                    "\(source): no column names the customer: say which with --key COLUMN (the columns are \(header.joined(separator: ", "))). "
                        + "It must hold what your events carry as user_id: the importers use Client name or Customer")
            }
            keyIndex = found
        }
        var cohortIndex: Int?
        var everyCohort: String?
        var cohortWords: String?
        if let cohort {
            if let found = column(cohort) {
                cohortIndex = found
                cohortWords = "the column \(header[found])"
            } else {
                everyCohort = cohort
                cohortWords = "\(cohort) for every row"
            }
        } else if let found = cohortColumns.lazy.compactMap(column).first {
            cohortIndex = found
            cohortWords = "the column \(header[found])"
        } else if !flag.spec.cohorts.isEmpty {
            throw AssignError.noCohort(
                "\(flag.changeID) is for \(flag.spec.cohorts.joined(separator: ", ")) only: say who is with --cohort COLUMN, "
                    + "or --cohort \(flag.spec.cohorts[0]) when every customer in the file is")
        }
        var text = raw(headerRecord) + ",verdict_arm,verdict_variant" + newline
        var rows: [Row] = []
        var arms: [String: Set<String>] = ["control": [], "treatment": []]
        var withoutKey = 0
        for record in records.dropFirst() {
            let line = raw(record)
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                text += line + newline
                continue
            }
            let cells = try fields(record)
            let key = keyIndex < cells.count ? cells[keyIndex].trimmingCharacters(in: .whitespaces) : ""
            let rowCohort = everyCohort ?? cohortIndex.flatMap { $0 < cells.count ? cells[$0].trimmingCharacters(in: .whitespaces) : nil }
            let assignment = flag.assign(key.isEmpty ? nil : key, cohort: rowCohort?.isEmpty == true ? nil : rowCohort, day: day)
            if key.isEmpty { withoutKey += 1 } else { arms[assignment.arm, default: []].insert(key) }
            rows.append(Row(line: record.line, key: key, cohort: rowCohort, arm: assignment.arm, variant: assignment.variant, cells: cells))
            text += line + "," + CSVCell.plain(assignment.arm) + "," + CSVCell.plain(assignment.variant) + newline
        }
        return CustomerList(
            changeID: flag.changeID, flag: flag.key, day: day.description, source: source, keyColumn: header[keyIndex], cohort: cohortWords,
            rows: rows, control: arms["control"]!.count, treatment: arms["treatment"]!.count, withoutKey: withoutKey,
            digest: lowercaseHex(SHA256.hash(data: Data(text.utf8))), text: text, header: header)
    }
}

/// Why a list could not be assigned.
public enum AssignError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case missingColumn(String)
    case noCohort(String)

    public var description: String {
        switch self {
        case .unreadable(let message), .missingColumn(let message), .noCohort(let message): message
        }
    }
}

/// A cell Verdict writes into a CSV of the office's: quoted when it must be.
enum CSVCell {
    static func plain(_ text: String) -> String {
        text.contains(where: { ",\"\r\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

extension Lifecycle {
    /// Gives every row of a customer or appointment list its arm under `changeID`'s flag on
    /// `day` (today when nil), and records the list on the audit trail (its digest, its count
    /// of customers per arm) with each customer's variant, so events of listed customers that
    /// carry no flag are attributed by the list (docs/lifecycle.md). The same list for the same
    /// day is recorded once.
    public func assign(
        _ changeID: String, csv data: Data, source: String, key: String? = nil, cohort: String? = nil, day: LocalDay? = nil,
        encoding: TextEncoding? = nil
    ) throws -> CustomerList {
        guard let row = try store.experiments().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.notStarted(changeID)
        }
        guard let flag = try flags().first(where: { $0.changeID == changeID }) else {
            throw LifecycleError.unreadable("\(changeID)'s flag now serves a later change; its lists are that change's")
        }
        let day = day ?? today
        var list = try CustomerList.make(data, source: source, flag: flag, day: day, key: key, cohort: cohort, encoding: encoding)
        if let earlier = try store.assignmentLists(changeID: changeID).last(where: { $0.digest == list.digest && $0.day == day.number }) {
            list.listID = earlier.id
            return list
        }
        let stored = AssignmentListRow(
            changeID: changeID, day: day.number, at: clock.nowMilliseconds(), actor: actor, source: source, digest: list.digest,
            control: list.control, treatment: list.treatment)
        let timeline = ChangeTimeline(try store.startedChanges())
        let span = timeline.spans.first { $0.changeID == changeID }
        let customers = list.rows.filter { !$0.key.isEmpty }.map { (userID: $0.key, variant: $0.variant) }
        let details = ListDetails(
            day: day.description, source: source, flag: flag.key, key: list.keyColumn, rows: list.rows.count,
            customers: .init(control: list.control, treatment: list.treatment), withoutKey: list.withoutKey, digest: list.digest)
        let (at, actor) = (stored.at, actor)
        let recorded = try store.recordAssignmentList(
            stored, customers: customers,
            span: LiveSpan(from: span?.from ?? row.startedAt, lastDay: span?.lastDay ?? row.endDay, until: span?.until),
            audit: { stamped in
                var details = details
                details.stamped = stamped
                return AuditTrail.maker(at: at, changeID: changeID, actor: actor, action: "assign", details: details)
            })
        list.listID = recorded.id
        list.recorded = true
        list.stamped = recorded.stamped
        return list
    }
}

/// An `assign` record's details (docs/audit.md).
struct ListDetails: Encodable, Sendable {
    var day: String
    var source: String
    var flag: String
    var key: String
    var rows: Int
    var customers: Arms
    var withoutKey: Int
    var digest: String
    var stamped: Int = 0

    struct Arms: Encodable, Sendable {
        var control: Int
        var treatment: Int
    }

    enum CodingKeys: String, CodingKey {
        case day, source, flag, key, rows, customers, digest, stamped
        case withoutKey = "without_key"
    }
}
