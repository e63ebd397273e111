import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// `verdict assign` and `verdict today`: a list of customers gets each row's arm from the one
/// bucketing OFREP uses, the list goes on the audit trail, and the events of its customers that
/// carry no flag are attributed by it (intention to treat).
@Suite struct CustomerListTests {
    static let monday = FixedClock(iso8601: "2026-11-09T15:00:00-06:00")!

    /// A workspace running the reminder-text template (CHG-0042), started on Monday 9 November.
    func reminders(_ edit: (String) -> String = { $0 }) throws -> IngestFixture {
        let fixture = try IngestFixture(timeZone: "America/Chicago")
        let template = try String(contentsOf: Repository.file("experiments/templates/no-show.lua"), encoding: .utf8)
        let script = try fixture.folder.write(edit(template.replacingOccurrences(of: "CHG-0001", with: "CHG-0042")), to: "experiments/reminders.lua")
        try lifecycle(fixture).start(script, acceptUnderpowered: true)
        return fixture
    }

    func lifecycle(_ fixture: IngestFixture, _ clock: FixedClock = monday) throws -> Lifecycle {
        try Lifecycle(workspace: fixture.workspace, clock: clock, actor: "dana")
    }

    static let appointments = """
        Date,Time,Customer,Phone,Appointment #\r
        11/10/2026,9:00 AM,Ann Lee,555-0101,A-201\r
        11/10/2026,10:30 AM,Raj Patel,555-0102,A-202\r
        11/10/2026,1:00 PM,Mei Chen,555-0103,A-203\r
        11/10/2026,3:00 PM,,555-0104,A-204\r
        11/10/2026,4:00 PM,"Omar, Haddad",555-0105,"A-205\r
        second line"\r
        11/10/2026,4:30 PM,Sara Ruiz,555-0106,A-206\r

        """

    /// The list's arms are OFREP's for the same keys and the same day: cohort targeting, a
    /// throttle, a rollback and a switchback's day included.
    @Test func theListsArmsAreTheFlagsAnswers() throws {
        let keys = (0..<200).map { "cust-\($0)" }
        let csv = "Customer,Segment\n" + keys.enumerated().map { "\($1),\($0 % 3 == 0 ? "returning" : "new_customer")" }.joined(separator: "\n") + "\n"
        let cases: [(String, (Lifecycle) throws -> Void, String)] = [
            ("{ \"new_customer\" }", { _ in }, "the split"),
            ("{ \"new_customer\" }", { try $0.setFlag("CHG-0042", .throttle(0.1)) }, "a throttle"),
            ("{}", { try $0.setFlag("CHG-0042", .off) }, "a rollback"),
        ]
        for (cohorts, action, what) in cases {
            let fixture = try reminders { $0.replacingOccurrences(of: "  window     = days(7),", with: "  window     = days(7),\n  cohorts    = \(cohorts),") }
            try action(try lifecycle(fixture))
            let list = try lifecycle(fixture).assign("CHG-0042", csv: Data(csv.utf8), source: "customers.csv", cohort: "Segment")
            let flag = try #require(try lifecycle(fixture).flags().first)
            let day = LocalDay("2026-11-09")!
            for (row, key) in zip(list.rows, keys) {
                let cohort = row.cohort
                let answer = FlagEvaluation(flag, changeState: nil, targetingKey: key, cohort: cohort, day: day)
                #expect(row.variant == answer.variant, "\(what): \(key)")
            }
            #expect(list.rows.count == 200)
            if what == "a rollback" { #expect(list.treatment == 0) } else { #expect(list.treatment > 0 && list.control > 0) }
        }
        // A switchback: every row gets the day's arm.
        let fixture = try reminders { $0.replacingOccurrences(of: #"ab { flag = "reminder_text", split = 0.5 }"#, with: #"switchback { flag = "reminder_text", seed = 7 }"#) }
        for (date, arm) in [("2026-11-09", "control"), ("2026-11-10", "treatment")] {
            let list = try lifecycle(fixture).assign("CHG-0042", csv: Data(csv.utf8), source: "c.csv", day: LocalDay(date)!)
            #expect(Set(list.rows.map(\.arm)) == [arm], "\(date)")
        }
    }

    /// The same CSV comes back, each record whole (CRLF, a quoted cell across lines), with two
    /// columns added; UTF-16 and Windows-1252 files read as ingest reads them.
    @Test func theSameCSVWithTwoColumnsAdded() throws {
        let fixture = try reminders()
        let list = try lifecycle(fixture).assign("CHG-0042", csv: Data(Self.appointments.utf8), source: "tomorrow.csv")
        let lines = list.text.components(separatedBy: "\r\n")
        #expect(lines[0] == "Date,Time,Customer,Phone,Appointment #,verdict_arm,verdict_variant")
        #expect(lines[5].hasPrefix(#"11/10/2026,4:00 PM,"Omar, Haddad",555-0105,"A-205"#) && lines[6].hasPrefix(#"second line","#))
        #expect(list.rows.count == 6 && list.withoutKey == 1 && list.keyColumn == "Customer")
        #expect(list.rows.first { $0.key.isEmpty }?.arm == "control")
        for row in list.rows where !row.key.isEmpty && row.key != "Omar, Haddad" {
            #expect(lines.contains { $0.hasSuffix(",\(row.arm),\(row.variant)") && $0.contains(row.key) }, "\(row.key)")
        }
        let omar = try #require(list.rows.first { $0.key == "Omar, Haddad" })
        #expect(lines[6] == "second line\",\(omar.arm),\(omar.variant)")
        // UTF-16 with its mark, and Windows-1252: the same list.
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(Self.appointments.data(using: .utf16LittleEndian)!)
        let again = try lifecycle(fixture).assign("CHG-0042", csv: utf16, source: "tomorrow.csv")
        #expect(again.text == list.text && again.digest == list.digest)
        let latin = try lifecycle(fixture).assign(
            "CHG-0042", csv: "Customer\r\nZoë\r\n".data(using: .windowsCP1252)!, source: "w.csv")
        #expect(latin.rows.map(\.key) == ["Zoë"])
    }

    @Test func refusalsSayWhatToDo() throws {
        let fixture = try reminders { $0.replacingOccurrences(of: "  window     = days(7),", with: "  window     = days(7),\n  cohorts    = { \"returning\" },") }
        let lifecycle = try lifecycle(fixture)
        let noKey = Data("Date,Notes\n11/10/2026,call first\n".utf8)
        #expect(throws: AssignError.self) { try lifecycle.assign("CHG-0042", csv: noKey, source: "a.csv", cohort: "returning") }
        do {
            _ = try lifecycle.assign("CHG-0042", csv: noKey, source: "a.csv", cohort: "returning")
        } catch {
            #expect("\(error)".contains("no column names the customer: say which with --key COLUMN (the columns are Date, Notes)"))
        }
        let csv = Data(Self.appointments.utf8)
        do {
            _ = try lifecycle.assign("CHG-0042", csv: csv, source: "t.csv", key: "Custmer", cohort: "returning")
            Issue.record("a wrong --key was taken")
        } catch {
            #expect("\(error)".contains(#"there is no column "Custmer" (did you mean "Customer"?)"#))
        }
        do {
            _ = try lifecycle.assign("CHG-0042", csv: csv, source: "t.csv")
            Issue.record("a list without cohorts was split for a change that targets one")
        } catch {
            #expect("\(error)" == "CHG-0042 is for returning only: say who is with --cohort COLUMN, or --cohort returning when every customer in the file is")
        }
        let assigned = try lifecycle.assign("CHG-0042", csv: csv, source: "t.csv", cohort: "returning")
        #expect(throws: AssignError.self) { try lifecycle.assign("CHG-0042", csv: Data(assigned.text.utf8), source: "again.csv", cohort: "returning") }
        #expect(throws: LifecycleError.notStarted("CHG-9999")) { try lifecycle.assign("CHG-9999", csv: csv, source: "t.csv") }
    }

    /// Each list handed out is on the audit trail once; events of its customers that carry no
    /// flag take its variant, stored before it or after, and the batches' digests still hold.
    @Test func listsAreRecordedAndAttributeTheirCustomersEvents() throws {
        let fixture = try reminders()
        // Stored before the list: Ann's and Raj's appointments fall due on Tuesday; Walk In is on no list.
        try fixture.ingest(
            """
            {"event":"appointment_due","timestamp":"2026-11-10T15:00:00Z","user_id":"Ann Lee"}
            {"event":"appointment_due","timestamp":"2026-11-10T16:30:00Z","user_id":"Raj Patel","change_id":"CHG-0042"}
            {"event":"appointment_due","timestamp":"2026-11-10T17:00:00Z","user_id":"Walk In"}
            {"event":"appointment_due","timestamp":"2026-11-10T18:00:00Z","user_id":"Mei Chen","version_flag":"beta"}

            """, as: "before.jsonl")
        let list = try lifecycle(fixture).assign("CHG-0042", csv: Data(Self.appointments.utf8), source: "tomorrow.csv")
        #expect(list.recorded && list.stamped == 2)
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records().last)
        #expect(record.action == "assign" && record.changeID == "CHG-0042")
        #expect(record.details.contains(#""customers":{"control":\#(list.control),"treatment":\#(list.treatment)}"#))
        #expect(record.details.contains(#""digest":"\#(list.digest)""#) && record.details.contains(#""without_key":1"#))
        // The same list again is not recorded twice.
        let again = try lifecycle(fixture).assign("CHG-0042", csv: Data(Self.appointments.utf8), source: "tomorrow.csv")
        #expect(!again.recorded && again.listID == list.listID)
        #expect(try AuditTrail(workspace: fixture.workspace).records().filter { $0.action == "assign" }.count == 1)
        // The status says how many customers the lists meant to get the change.
        #expect(try lifecycle(fixture).status(of: "CHG-0042").lists == .init(handedOut: 1, control: list.control, treatment: list.treatment))
        // Stored after the list.
        try fixture.ingest(
            """
            {"event":"no_show","timestamp":"2026-11-10T15:05:00Z","user_id":"Ann Lee"}
            {"event":"appointment_due","timestamp":"2026-11-10T22:00:00Z","user_id":"Omar, Haddad"}

            """, as: "after.jsonl")
        let variant = Dictionary(uniqueKeysWithValues: list.rows.filter { !$0.key.isEmpty }.map { ($0.key, $0.variant) })
        let events = try fixture.store.events(EventFilter(), limit: 100).map(\.event)
        func stored(_ user: String, _ name: String) -> Event? { events.first { $0.userID == user && $0.event == name } }
        #expect(stored("Ann Lee", "appointment_due")?.versionFlag == variant["Ann Lee"])
        #expect(stored("Ann Lee", "appointment_due")?.changeID == "CHG-0042" && stored("Ann Lee", "appointment_due")?.flagFromList == true)
        #expect(stored("Raj Patel", "appointment_due")?.versionFlag == variant["Raj Patel"])
        #expect(stored("Ann Lee", "no_show")?.versionFlag == variant["Ann Lee"] && stored("Ann Lee", "no_show")?.flagFromList == true)
        #expect(stored("Omar, Haddad", "appointment_due")?.versionFlag == variant["Omar, Haddad"])
        #expect(stored("Walk In", "appointment_due")?.versionFlag == nil)
        #expect(stored("Mei Chen", "appointment_due")?.versionFlag == "beta" && stored("Mei Chen", "appointment_due")?.flagFromList == false)
        // The report counts them in their arms, and the trail and the batches still verify.
        let sealed = try #require(try lifecycle(fixture).sealedExperiment(changeID: "CHG-0042"))
        let report = try ReportRun.evaluate(
            sealed.declaration, store: fixture.store, settings: fixture.workspace.settings, sandbox: nil, from: sealed.from, to: sealed.to,
            daily: false
        ).report
        let due = report.kpis.first { $0.role == .primary }
        #expect((due?.control.n ?? 0) + (due?.treatment.n ?? 0) == 3)
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
    }

    /// `today`: the list's customers in words; a switchback's day; everyone once kept; a
    /// change without a task is named.
    @Test func todaySaysWhatTheOfficeDoes() throws {
        let fixture = try reminders()
        let plan = try lifecycle(fixture).today(file: (Data(Self.appointments.utf8), "tomorrow.csv"))
        let change = try #require(plan.changes.first)
        #expect(change.scope == "list" && change.list?.recorded == true)
        let treated = change.list!.rows.filter { $0.arm == "treatment" }.map(\.key)
        #expect(plan.text.contains("Send the reminder text the afternoon before the appointment, for these \(treated.count) customer"))
        for key in treated { #expect(plan.text.contains("[ ] \(key)")) }
        // No list given and none in inbox/: what to do about it.
        let none = try lifecycle(fixture).today()
        #expect(none.changes.isEmpty && none.problems.first?.message.contains("drop the appointments export into inbox/") == true)
        // The newest appointments file in inbox/ is the list.
        try fixture.folder.write(Self.appointments, to: "inbox/done/2026-11-09-appointments.csv")
        #expect(try lifecycle(fixture).today().changes.first?.list?.source == "inbox/done/2026-11-09-appointments.csv")
        // A switchback's day.
        let switchback = try reminders { $0.replacingOccurrences(of: #"ab { flag = "reminder_text", split = 0.5 }"#, with: #"switchback { flag = "reminder_text", seed = 7 }"#) }
        #expect(try lifecycle(switchback).today().text.contains("Today is a control day: do not send the reminder text"))
        let tuesday = FixedClock(iso8601: "2026-11-10T15:00:00-06:00")!
        #expect(try lifecycle(switchback, tuesday).today().text.contains("Today is a treatment day: Send the reminder text the afternoon before the appointment, for every customer."))
        // Kept: everyone.
        try lifecycle(fixture).decide("CHG-0042", .keep, note: "fewer no-shows", early: true)
        #expect(try lifecycle(fixture).today().changes.first?.words == "Send the reminder text the afternoon before the appointment, for every customer: the change is kept.")
        // A change with no task.
        let plain = try reminders { $0.replacingOccurrences(of: "  task       = \"Send the reminder text the afternoon before the appointment\",\n", with: "") }
        #expect(try lifecycle(plain).today().problems.isEmpty && lifecycle(plain).today().changes.isEmpty)
        #expect(try lifecycle(plain).today("CHG-0042").problems.first?.message.contains("declares no task") == true)
    }
}
