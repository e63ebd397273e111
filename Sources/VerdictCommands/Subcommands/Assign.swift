import ArgumentParser
import Foundation
import VerdictCore

extension VerdictCommand {
    /// `verdict assign CHG FILE|- [--key COLUMN] [--cohort COLUMN|NAME]`.
    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say who gets a change people carry out: a customer or appointment list with each row's arm.",
            discussion: """
                Reads a CSV of customers, or of the day's appointments, and writes the same CSV with two columns \\
                added: verdict_arm (control or treatment) and verdict_variant (the flag's variant). The arm is the \\
                bucketing the website and the server use (docs/flags.md), with the change's cohorts, throttle, \\
                rollback and switchback day as they stand on --date. The customer is the column --key names, else \\
                the first of user_id, customer_id, Customer, Client name, Name, Email or Phone; it must be what your \\
                events carry as user_id. The list is recorded on the audit trail (its digest and customers per arm), \\
                and events of its customers that carry no flag are attributed by it (docs/lifecycle.md).

                Examples:
                  verdict assign CHG-0042 appointments-tomorrow.csv > reminders.csv
                  verdict assign CHG-0042 customers.csv --key "Client email" --cohort returning --out list.csv
                """
        )

        @Argument(help: "The change_id.") var change: String
        @Argument(help: ArgumentHelp("The CSV file, or - for standard input.", valueName: "file")) var file: String
        @Option(help: ArgumentHelp("The column that names the customer.", valueName: "column")) var key: String?
        @Option(help: ArgumentHelp("The column that gives each row's cohort, or the cohort of every row.", valueName: "column|name"))
        var cohort: String?
        @Option(help: ArgumentHelp("The local date the arms are for (YYYY-MM-DD; default: today).", valueName: "date"))
        var date: String?
        @Option(help: ArgumentHelp("Read the file in this encoding (utf-8, utf-16le, utf-16be, windows-1252).", valueName: "name"))
        var encoding: String?
        @Option(help: ArgumentHelp("Write the list here instead of standard output.", valueName: "file")) var out: String?
        @Flag(help: "Print the list's summary and rows as JSON instead of the CSV.") var json = false
        @OptionGroup var options: WorkspaceOptions
        @OptionGroup var clockOptions: ClockOptions
        @OptionGroup var actorOptions: ActorOptions

        func validate() throws {
            if let date, LocalDay(date) == nil { throw ValidationError("--date: \"\(date)\" is not a date such as 2026-11-10") }
            if let encoding, TextEncoding(name: encoding) == nil {
                throw ValidationError("--encoding: \"\(encoding)\" is not one of utf-8, utf-16le, utf-16be, windows-1252")
            }
        }

        func run() async throws {
            do {
                let workspace = try options.load()
                let lifecycle = try Lifecycle(workspace: workspace, clock: try clockOptions.clock(), actor: actorOptions.resolve())
                let data = try Self.read(file)
                let list = try lifecycle.assign(
                    change, csv: data, source: file == "-" ? "-" : URL(fileURLWithPath: file).lastPathComponent, key: key, cohort: cohort,
                    day: date.flatMap(LocalDay.init), encoding: encoding.flatMap(TextEncoding.init(name:)))
                if json {
                    Terminal.write(try JSONOutput.encode(list) + "\n")
                } else if let out {
                    try Self.write(list.text, to: out)
                } else {
                    Terminal.write(list.text)
                }
                Terminal.write(Self.summary(list) + "\n", to: .error)
            } catch {
                throw Terminal.report(error)
            }
        }

        /// The file's bytes, or standard input's for `-`.
        static func read(_ file: String) throws -> Data {
            if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else { throw ValidationError("\(file): no such file") }
            if isFolder.boolValue { throw ValidationError("\(file): is a folder; give the CSV file in it") }
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot be read (permission denied?)") }
            return data
        }

        static func write(_ text: String, to path: String) throws {
            do {
                try text.write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("\(path): cannot be written (\((error as NSError).localizedDescription))")
            }
        }

        /// What the list holds, in one line for the person who runs it.
        static func summary(_ list: CustomerList) -> String {
            var text = "\(list.changeID) on \(list.day): \(list.treatment) customer\(list.treatment == 1 ? " gets" : "s get") the change, "
                + "\(list.control) do not (the customer is \(list.keyColumn)"
            if let cohort = list.cohort { text += "; cohort: \(cohort)" }
            text += ")."
            if list.withoutKey > 0 {
                text += " \(list.withoutKey) row\(list.withoutKey == 1 ? " has" : "s have") no \(list.keyColumn): the control, not on the list."
            }
            if let id = list.listID {
                text += list.recorded
                    ? " Recorded as list \(id) on the audit trail\(list.stamped > 0 ? "; \(list.stamped) stored events of its customers now carry its variant" : "")."
                    : " The same list for this day is recorded already (list \(id))."
            }
            return text
        }
    }
}
