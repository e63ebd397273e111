import Foundation
import VerdictStore

/// What the office does today for each change people carry out (a script's `task`): `verdict
/// today`. For an A/B change, the customers of the day's list who get it, from the list given or
/// the latest appointments file in `inbox/`; for a switchback, whether today is a treatment day;
/// for a kept change, everyone. Every list handed out is recorded (`Lifecycle.assign`).
public struct TodayPlan: Encodable, Sendable {
    public var date: String
    public var weekday: String
    public var changes: [Change]
    /// Changes that could not be planned (no list to read, a broken file), with why.
    public var problems: [Problem]

    public struct Change: Encodable, Sendable {
        public var changeID: String
        public var title: String
        public var task: String
        public var state: ExperimentState
        /// `list` (these customers), `everyone`, `nobody` (a control day).
        public var scope: String
        /// What to do, in plain words.
        public var words: String
        /// The day's list, when the change is split by customer.
        public var list: CustomerList?

        enum CodingKeys: String, CodingKey {
            case title, task, state, scope, words, list
            case changeID = "change_id"
        }
    }

    public struct Problem: Encodable, Sendable {
        public var changeID: String
        public var message: String

        enum CodingKeys: String, CodingKey {
            case message
            case changeID = "change_id"
        }
    }

    /// The plan in plain words, as the terminal shows it.
    public var text: String {
        var lines = ["Today, \(weekday) \(date):"]
        if changes.isEmpty && problems.isEmpty {
            lines.append("  no running change is carried out by people (a script's task = \"...\" says what the office does).")
        }
        for change in changes {
            lines.append("")
            lines.append("\(change.changeID) \(change.title) (\(change.state))")
            lines.append("  \(change.words)")
            if let list = change.list {
                for row in list.rows where row.arm == "treatment" { lines.append("    [ ] \(row.key)\(Self.context(row, list))") }
                let others = list.rows.filter { $0.arm == "control" && !$0.key.isEmpty }.map(\.key)
                if !others.isEmpty { lines.append("  Not for: \(others.joined(separator: "; ")).") }
            }
        }
        for problem in problems {
            lines.append("")
            lines.append("\(problem.changeID): \(problem.message)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A row's other cells that help the office find the customer (a time, a phone number).
    static func context(_ row: CustomerList.Row, _ list: CustomerList) -> String {
        let wanted = ["time", "phone", "mobile phone", "client phone", "date", "appointment #", "appointment id"]
        let cells = list.header.enumerated().compactMap { index, name -> String? in
            guard wanted.contains(name.trimmingCharacters(in: .whitespaces).lowercased()), index < row.cells.count else { return nil }
            let cell = row.cells[index].trimmingCharacters(in: .whitespaces)
            return cell.isEmpty ? nil : cell
        }
        return cells.isEmpty ? "" : "  (" + cells.joined(separator: ", ") + ")"
    }
}

extension Lifecycle {
    /// Today's plan for the office, for `changeID` or every change with a `task`, from the list
    /// `file` (a CSV of customers or appointments), else the newest CSV in `inbox/` or
    /// `inbox/done/` that names customers.
    public func today(
        _ changeID: String? = nil, file: (data: Data, source: String)? = nil, key: String? = nil, cohort: String? = nil
    ) throws -> TodayPlan {
        let day = today
        var plan = TodayPlan(date: day.description, weekday: Self.weekday(day), changes: [], problems: [])
        let rows = try store.experiments().filter { changeID == nil || $0.changeID == changeID }
        if let changeID, rows.isEmpty { throw LifecycleError.notStarted(changeID) }
        let flags = try flags()
        for row in rows {
            let state = try state(of: row)
            guard state.isLive || state.isServedAfterDecision else {
                if changeID != nil { plan.problems.append(.init(changeID: row.changeID, message: "it is \(state): nobody gets it any more")) }
                continue
            }
            guard let sealed = try sealedExperiment(changeID: row.changeID) else { continue }
            guard let task = sealed.declaration.task else {
                if changeID != nil {
                    plan.problems.append(.init(
                        changeID: row.changeID,
                        message: "its script declares no task: add task = \"what the office does\" to a change people carry out"))
                }
                continue
            }
            let title = sealed.declaration.title
            guard let flag = flags.first(where: { $0.changeID == row.changeID }) else { continue }
            var change = TodayPlan.Change(changeID: row.changeID, title: title, task: task, state: state, scope: "list", words: "", list: nil)
            let audience = flag.spec.cohorts.isEmpty ? "every customer" : "every \(flag.spec.cohorts.joined(separator: " or ")) customer"
            if flag.state == .kept {
                change.scope = "everyone"
                change.words = "\(task), for \(audience): the change is kept."
            } else if flag.state == .off || flag.state == .rolledBack {
                change.scope = "nobody"
                change.words = "Do not: \(task.prefix(1).lowercased() + task.dropFirst()). The change is off."
            } else if let seed = flag.spec.scheduleSeed {
                let on = Evaluator.switchbackIsTreatment(day: day.number, seed: seed)
                change.scope = on ? "everyone" : "nobody"
                change.words = on
                    ? "Today is a treatment day: \(task), for \(audience)."
                    : "Today is a control day: do not \(task.prefix(1).lowercased() + task.dropFirst())."
            } else {
                let source: (data: Data, source: String)
                if let file {
                    source = file
                } else if let latest = latestCustomerFile() {
                    source = (try Data(contentsOf: latest), workspace.relativePath(of: latest))
                } else {
                    plan.problems.append(.init(
                        changeID: row.changeID,
                        message: "\(task): no customer list to split. Give the day's appointments (verdict today \(row.changeID) --from FILE), or drop the appointments export into inbox/."))
                    continue
                }
                do {
                    let list = try assign(row.changeID, csv: source.data, source: source.source, key: key, cohort: cohort, day: day)
                    change.list = list
                    change.words = "\(task), for these \(list.treatment) customer\(list.treatment == 1 ? "" : "s") of \(list.source) "
                        + "(and not for the other \(list.control)):"
                } catch let error as AssignError {
                    plan.problems.append(.init(changeID: row.changeID, message: "\(error)"))
                    continue
                }
            }
            plan.changes.append(change)
        }
        return plan
    }

    /// The newest CSV in `inbox/`, else in `inbox/done/`, whose header names customers.
    func latestCustomerFile() -> URL? {
        let inbox = workspace.root.appendingPathComponent("inbox")
        for folder in [inbox, inbox.appendingPathComponent("done")] {
            let files = ((try? FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: [.contentModificationDateKey, .isRegularFileKey], options: [.skipsHiddenFiles])) ?? [])
                .filter { $0.pathExtension.lowercased() == "csv" }
                .sorted {
                    let a = (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
                    let b = (try? $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
                    return a != b ? a > b : $0.lastPathComponent > $1.lastPathComponent
                }
            for file in files {
                guard let handle = try? FileHandle(forReadingFrom: file) else { continue }
                defer { try? handle.close() }
                let first = String(decoding: handle.readData(ofLength: 4096), as: UTF8.self)
                let header = (first.split(whereSeparator: \.isNewline).first.map(String.init) ?? "").lowercased()
                    .split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\u{FEFF}")) }
                if header.contains(where: CustomerList.keyColumns.contains) { return file }
            }
        }
        return nil
    }
}
