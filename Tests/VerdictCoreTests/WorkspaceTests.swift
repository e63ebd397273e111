import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictTestSupport

@Suite struct WorkspaceTests {
    @Test func initCreatesTheLayout() throws {
        let folder = try TemporaryFolder()
        let root = folder.url.appendingPathComponent("brightspark")
        let workspace = try WorkspaceInitializer.create(at: root, business: "Brightspark Electric", timeZone: "America/Chicago")
        for name in ["experiments", "plugins", ".verdict"] {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory))
            #expect(isDirectory.boolValue)
        }
        var expected = WorkspaceSettings(business: "Brightspark Electric", timeZone: "America/Chicago")
        expected.dateOrder = .monthFirst  // from the time zone's region, written into verdict.lua
        #expect(workspace.settings == expected)
        // The file it wrote loads back to the same settings.
        #expect(try Workspace(root: root).settings == workspace.settings)
    }

    @Test func initRefusesAnExistingWorkspace() throws {
        let folder = try TemporaryFolder()
        _ = try WorkspaceInitializer.create(at: folder.url, business: "A", timeZone: "UTC")
        try folder.write("return workspace { business = 'Mine', time_zone = 'UTC' }\n", to: "verdict.lua")
        #expect(throws: WorkspaceError.alreadyExists(folder.url.standardizedFileURL.path)) {
            try WorkspaceInitializer.create(at: folder.url, business: "B", timeZone: "UTC")
        }
        // Nothing was overwritten.
        #expect(try Workspace(root: folder.url).settings.business == "Mine")
    }

    @Test func initValidatesTheTimeZone() throws {
        let folder = try TemporaryFolder()
        let error = try #require(throws: WorkspaceError.self) {
            try WorkspaceInitializer.create(at: folder.url, business: "A", timeZone: "America/Chicgo")
        }
        #expect(error.description == "\"America/Chicgo\" is not an IANA time zone name such as America/Chicago (did you mean America/Chicago?)")
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("verdict.lua").path))
    }

    @Test func initDefaultsToAnIANATimeZone() throws {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "A", timeZone: nil)
        #expect(WorkspaceSettings.isKnownTimeZone(workspace.settings.timeZone))
    }

    @Test func locatorPrefersExplicitThenEnvironmentThenSearch() throws {
        let folder = try TemporaryFolder()
        let a = folder.url.appendingPathComponent("a"), b = folder.url.appendingPathComponent("b")
        _ = try WorkspaceInitializer.create(at: a, business: "A", timeZone: "UTC")
        _ = try WorkspaceInitializer.create(at: b, business: "B", timeZone: "UTC")
        let deep = a.appendingPathComponent("experiments/nested/deeper")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)

        let searched = try WorkspaceLocator.locate(explicit: nil, environment: [:], currentDirectory: deep)
        #expect(searched.path == a.standardizedFileURL.path)
        let fromEnvironment = try WorkspaceLocator.locate(
            explicit: nil, environment: ["VERDICT_WORKSPACE": b.path], currentDirectory: deep)
        #expect(fromEnvironment.path == b.standardizedFileURL.path)
        let explicit = try WorkspaceLocator.locate(
            explicit: "../../../../b", environment: ["VERDICT_WORKSPACE": a.path], currentDirectory: deep)
        #expect(explicit.path == b.standardizedFileURL.path)
    }

    @Test func locatorSaysHowToMakeAWorkspace() throws {
        let folder = try TemporaryFolder()
        let error = try #require(throws: WorkspaceError.self) {
            try WorkspaceLocator.locate(explicit: nil, environment: [:], currentDirectory: folder.url)
        }
        #expect(error == .notFound(searchedFrom: folder.url.standardizedFileURL.path))
        #expect(error.description.contains("verdict init"))
        let named = try #require(throws: WorkspaceError.self) {
            try WorkspaceLocator.locate(explicit: folder.url.path, environment: [:], currentDirectory: folder.url)
        }
        #expect(named == .notAWorkspace(folder.url.standardizedFileURL.path))
    }

    @Test func relativePaths() throws {
        let folder = try TemporaryFolder()
        let workspace = try WorkspaceInitializer.create(at: folder.url, business: "A", timeZone: "UTC")
        #expect(workspace.relativePath(of: folder.url.appendingPathComponent("experiments/book-now.lua")) == "experiments/book-now.lua")
    }
}
