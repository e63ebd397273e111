import Foundation
import Testing
@testable import VerdictCore
import VerdictScript
import VerdictTestSupport

/// `verdict.lua` goes through the sandbox; every mistake in it names `verdict.lua:LINE`.
@Suite struct WorkspaceSettingsTests {
    func load(_ text: String) throws -> WorkspaceSettings {
        let folder = try TemporaryFolder()
        try folder.write(text, to: "verdict.lua")
        return try Workspace(root: folder.url).settings
    }

    func failure(_ text: String) throws -> String {
        let error = try #require(throws: WorkspaceError.self) { try load(text) }
        return error.description
    }

    @Test func fullSettings() throws {
        let settings = try load("""
            return workspace {
              business = "Brightspark Electric",
              time_zone = "America/Denver",
              window_days = 14,
              alpha = 0.1,
              power = 0.9,
              sandbox = { memory_mb = 32, instructions = 5000000, seconds = 2 },
            }
            """)
        #expect(settings.business == "Brightspark Electric")
        #expect(settings.timeZone == "America/Denver")
        #expect(settings.windowDays == 14)
        #expect(settings.alpha == 0.1)
        #expect(settings.power == 0.9)
        #expect(settings.sandbox == SandboxLimits(memoryBytes: 32 << 20, instructions: 5_000_000, seconds: 2))
    }

    @Test func defaults() throws {
        let settings = try load("workspace { business = 'Shop', time_zone = 'UTC' }")
        #expect(settings == WorkspaceSettings(business: "Shop", timeZone: "UTC"))
    }

    static let mistakes: [(text: String, message: String)] = [
        ("return workspace {\n  business = 'Shop',\n  time_zone = 'Mars/Olympus',\n}",
         "verdict.lua:3: time_zone: \"Mars/Olympus\" is not an IANA time zone name such as \"America/Chicago\""),
        ("return workspace {\n  business = 'Shop',\n  time_zone = 'Europe/Lndon',\n}",
         "verdict.lua:3: time_zone: \"Europe/Lndon\" is not an IANA time zone name such as \"America/Chicago\" (did you mean \"Europe/London\"?)"),
        ("return workspace {\n  business = 'Shop',\n  windw_days = 7,\n}",
         "verdict.lua:3: windw_days: unknown field (did you mean 'window_days'?); the fields are business, time_zone, date_order, window_days, alpha, power, risk_tolerance, webhook, sandbox, server"),
        ("return workspace {\n  business = 'Shop',\n\n  window_days = 0,\n}",
         "verdict.lua:4: window_days: expected a whole number of days from 1 to 90, got number 0"),
        ("return workspace {\n  business = 'Shop',\n  window_days = 7.5,\n}",
         "verdict.lua:3: window_days: expected a whole number of days from 1 to 90, got number 7.5"),
        ("return workspace {\n  business = 'Shop',\n  alpha = '0.05',\n}",
         "verdict.lua:3: alpha: expected a significance level between 0 and 0.5 (such as 0.05), got string \"0.05\""),
        ("return workspace {\n  business = 'Shop',\n  power = 1,\n}",
         "verdict.lua:3: power: expected a power from 0.5 to below 1 (such as 0.8), got number 1"),
        ("return workspace {\n  time_zone = 'UTC',\n}",
         "verdict.lua:1: business: is required"),
        ("return workspace {\n  business = 'Shop',\n  sandbox = {\n    memory_mb = 64,\n    secs = 5,\n  },\n}",
         "verdict.lua:5: sandbox.secs: unknown field; the fields are memory_mb, instructions, seconds"),
        ("return workspace {\n  business = 'Shop',\n  sandbox = { seconds = -1 },\n}",
         "verdict.lua:3: sandbox.seconds: expected seconds above 0 and at most 600, got number -1"),
        ("return workspace {\n  business = 'Shop'\n  time_zone = 'UTC',\n}",
         "verdict.lua:3: '}' expected (to close '{' at line 1) near 'time_zone'"),
        ("local zone = nil\nreturn workspace {\n  business = 'Shop',\n  time_zone = zone.name,\n}",
         "verdict.lua:4: attempt to index a nil value (local 'zone')"),
        ("-- no declaration\nreturn { business = 'Shop' }",
         "verdict.lua: declares nothing: the script must call workspace { ... }"),
        ("while true do end", "verdict.lua:1: instruction limit exceeded: the script ran more than 200000000 instructions (an endless loop?)"),
    ]

    @Test(arguments: mistakes)
    func mistakeNamesFileLineAndField(text: String, message: String) throws {
        #expect(try failure(text) == message)
    }

    @Test func settingsCannotReachTheSystem() throws {
        #expect(try failure("return workspace { business = os.getenv('HOME') }").hasPrefix("verdict.lua:1: attempt to index a nil value (global 'os')"))
    }
}
