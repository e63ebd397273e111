import Foundation
import Testing
import VerdictScript

/// docs/lua-api.md documents every name a script can reach.
@Suite struct LuaAPIDocumentationTests {
    static var documentation: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("docs/lua-api.md"), encoding: .utf8)
        }
    }

    @Test func everyGlobalIsDocumented() throws {
        let plugins = PluginSearchPath(folders: [])  // so that `require` is there too
        let names = try LuaSandbox(plugins: plugins).run(
            "local names = {} for name in pairs(_G) do names[#names + 1] = name end table.sort(names) return names",
            chunkName: "probe.lua")
        let documentation = try Self.documentation
        let globals = try #require(names.arrayValue).compactMap(\.stringValue)
        #expect(globals.count > 20)
        for name in globals {
            #expect(documentation.contains("`\(name)`") || documentation.contains("`\(name)("), "docs/lua-api.md does not document `\(name)`")
        }
    }

    @Test func everyDeclarationFunctionIsDocumented() throws {
        let documentation = try Self.documentation
        for name in ["workspace", "experiment", "importer"] {
            #expect(documentation.contains("### `\(name) {"), "docs/lua-api.md has no section for \(name)")
        }
    }
}
