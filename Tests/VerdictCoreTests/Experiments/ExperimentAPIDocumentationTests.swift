import Foundation
import Testing
@testable import VerdictCore

/// docs/lua-api.md documents every helper of the experiment language and every KPI constructor.
@Suite struct ExperimentAPIDocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func helpersAndConstructorsAreDocumented() throws {
        let documentation = try String(contentsOf: Self.repository.appendingPathComponent("docs/lua-api.md"), encoding: .utf8)
        for name in ExperimentPrelude.names {
            #expect(documentation.contains("`\(name)(") || documentation.contains("`\(name) {"), "docs/lua-api.md does not document \(name)")
        }
        let kpiModule = try String(contentsOf: Self.repository.appendingPathComponent("plugins/verdict/kpi.lua"), encoding: .utf8)
        let constructors = kpiModule.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("M."), let end = line.firstIndex(of: " ") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 2)..<end])
        }
        #expect(constructors.count == 8)
        for name in constructors {
            #expect(documentation.contains("`kpi.\(name) {"), "docs/lua-api.md does not document kpi.\(name)")
        }
        for method in QueryHandle.methodNames {
            #expect(documentation.contains("`q:\(method) {"), "docs/lua-api.md does not document q:\(method)")
        }
        #expect(documentation.contains("`local_timestamp("), "docs/lua-api.md does not document local_timestamp")
        // And the prelude defines exactly the names listed.
        for name in ExperimentPrelude.names {
            #expect(ExperimentPrelude.source.contains("function \(name)("), "the prelude does not define \(name)")
        }
    }
}
