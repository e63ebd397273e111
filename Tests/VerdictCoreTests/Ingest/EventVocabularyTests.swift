import Foundation
import Testing
@testable import VerdictCore
import VerdictTestSupport

/// The business's event names are written once: docs/events.md lists exactly EventVocabulary's.
@Suite struct EventVocabularyTests {
    @Test func theDocsListTheVocabulary() throws {
        let text = try String(contentsOf: Repository.file("docs/events.md"), encoding: .utf8)
        let table = try #require(text.components(separatedBy: "<!-- vocabulary:").dropFirst().first)
        let rows = table.split(separator: "\n").dropFirst(3).prefix { $0.hasPrefix("|") }
        let documented = rows.map { row in
            row.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let names = EventVocabulary.names.map { ["`\($0.name)`", $0.when, $0.value ?? ""] }
        #expect(documented == names)
        #expect(names.count == 13)
    }
}
