import Foundation
import Testing
import VerdictTestSupport

/// `verdict daily` ingests the files dropped into `inbox/` first, each with the importer its
/// header fits, and moves them to `inbox/done/` or `inbox/failed/` with a note.
@Suite struct InboxTests {
    @Test func theNightsExportsGoInThenOutOfTheInbox() throws {
        let folder = try TemporaryFolder()
        #expect(try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url).status == 0)
        let inbox = folder.url.appendingPathComponent("inbox")
        #expect(FileManager.default.fileExists(atPath: inbox.path), "init makes the inbox")
        for name in ["jobber-jobs-sample.csv", "appointments-sample.csv"] {
            try FileManager.default.copyItem(at: Repository.file("experiments/examples/\(name)"), to: inbox.appendingPathComponent(name))
        }
        try folder.write("Ticket,Opened\n1,2026-11-02\n", to: "inbox/tickets.csv")
        try folder.write("Job #,Client name\n", to: "inbox/jobs.csv.part")  // still being written
        let night = try VerdictProcess.run(["daily", "--date", "2026-11-06", "--no-dashboard", "--now", "2026-11-07T06:00:00-06:00"], in: folder.url)
        #expect(night.status == 1, "a file that could not be ingested is an error: \(night.error)")
        #expect(night.output.contains("Inbox:\n"), "\(night.output)")
        #expect(night.output.contains(
            "  inbox/appointments-sample.csv: 16 stored, 0 skipped, 1 quarantined (batch 1, importer appointments); moved to inbox/done/2026-11-06-appointments-sample.csv"),
            "\(night.output)")
        #expect(night.output.contains("  inbox/jobber-jobs-sample.csv: 7 stored, 0 skipped, 1 quarantined (batch 2, importer jobber); moved to inbox/done/2026-11-06-jobber-jobs-sample.csv"))
        #expect(night.output.contains("  inbox/tickets.csv: FAILED (moved to inbox/failed/2026-11-06-tickets.csv, why in inbox/failed/2026-11-06-tickets.csv.txt)"))
        #expect(night.error.contains("inbox/tickets.csv: inbox/failed/2026-11-06-tickets.csv:1: the header needs at least the columns event and timestamp"), "\(night.error)")
        let note = try String(contentsOf: inbox.appendingPathComponent("failed/2026-11-06-tickets.csv.txt"), encoding: .utf8)
        #expect(note.contains("move it back into inbox/"))
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("jobs.csv.part").path), "a file still being written stays")
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox.path).sorted() == ["done", "failed", "jobs.csv.part"])
        // Quarantined rows name the file where it now is.
        let quarantine = try VerdictProcess.run(["quarantine"], in: folder.url)
        #expect(quarantine.output.contains("inbox/done/2026-11-06-jobber-jobs-sample.csv:6: the jobber importer failed on this row"), "\(quarantine.output)")
        // The same export dropped again (a sync tool's second copy): nothing is stored twice.
        try FileManager.default.copyItem(
            at: Repository.file("experiments/examples/jobber-jobs-sample.csv"), to: inbox.appendingPathComponent("jobber-jobs-sample.csv"))
        let again = try VerdictProcess.run(["daily", "--date", "2026-11-06", "--no-dashboard", "--now", "2026-11-07T06:30:00-06:00"], in: folder.url)
        #expect(again.status == 0, "\(again.error)")
        #expect(again.output.contains(
            "  inbox/jobber-jobs-sample.csv: already ingested as batch 2; nothing stored; moved to inbox/done/2026-11-06-jobber-jobs-sample-2.csv"),
            "\(again.output)")
        let events = try VerdictProcess.run(["events", "--by", "event", "--json"], in: folder.url)
        #expect(events.status == 0 && events.output.contains("\"appointment_booked\""), "\(events.error)")
    }
}
