import Foundation
import Testing
import VerdictTestSupport

/// `verdict new` and `verdict check` as a user runs them.
@Suite struct ExperimentCommandTests {
    @Test func everyTemplateBecomesAnExperimentThatPassesCheck() throws {
        let folder = try TemporaryFolder()
        #expect(try VerdictProcess.run(["init", ".", "--time-zone", "America/Chicago"], in: folder.url).status == 0)
        let list = try VerdictProcess.run(["new", "--list"], in: folder.url)
        let templates = list.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(templates.count >= 11)
        for required in ["conversion", "page-speed", "leading-count", "error-rate", "average-ticket", "booking-timeout",
                         "photo-throttle", "recommended-services", "cache-lifetime", "no-show", "quote-close-rate"] {
            #expect(templates.contains(required), "no \(required) template")
        }
        for (index, template) in templates.enumerated() {
            let created = try VerdictProcess.run(
                ["new", "x-\(template)", "--template", template, "--now", "2026-11-23T07:00:00-06:00"], in: folder.url)
            #expect(created.status == 0, "\(template): \(created.error)")
            #expect(created.output.contains("CHG-\(String(format: "%04d", index + 1))"))
        }
        let check = try VerdictProcess.run(["check", "--json"], in: folder.url)
        #expect(check.status == 0, "\(check.error)\(check.output)")
        let declarations = try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [[String: Any]]
        #expect(declarations?.count == templates.count)
        #expect(Set(declarations?.compactMap { $0["change_id"] as? String } ?? []).count == templates.count)
        let first = try String(contentsOf: folder.url.appendingPathComponent("experiments/x-\(templates[0]).lua"), encoding: .utf8)
        #expect(first.hasPrefix("-- x-\(templates[0]): created 2026-11-23 from the \(templates[0]) template.\n"))
    }

    @Test func checkReportsMistakesWithFileAndLine() throws {
        let folder = try TemporaryFolder()
        _ = try VerdictProcess.run(["init", ".", "--time-zone", "UTC"], in: folder.url)
        _ = try VerdictProcess.run(["new", "book-now"], in: folder.url)
        let file = folder.url.appendingPathComponent("experiments/book-now.lua")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "window     =", with: "windw      =")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let check = try VerdictProcess.run(["check", "book-now"], in: folder.url)
        #expect(check.status == 1)
        #expect(check.error == "error: experiments/book-now.lua:13: windw: unknown field (did you mean 'window'?)\n")
        let elsewhere = try TemporaryFolder()
        let fromElsewhere = try VerdictProcess.run(["check"], in: elsewhere.url, environment: ["VERDICT_WORKSPACE": folder.url.path])
        #expect(fromElsewhere.status == 1)
        #expect(fromElsewhere.error.contains("experiments/book-now.lua:13: windw"))
    }
}
