import Testing
import VerdictScript

@Suite struct FieldLocatorTests {
    let source = """
        -- settings
        return workspace {
          business = "Brightspark",  -- time_zone = "commented out"
          sandbox = {
            memory_mb = 64,
            seconds = 5,
          },
          time_zone="America/Chicago",
          window_days == 3,
        }
        """

    @Test func findsFieldsAndNestedFields() {
        let locator = FieldLocator(source: source)
        #expect(locator.line(of: ["business"], from: 2) == 3)
        #expect(locator.line(of: ["time_zone"], from: 2) == 8)
        #expect(locator.line(of: ["sandbox", "seconds"], from: 2) == 6)
        #expect(locator.line(of: ["memory_mb"], from: 2) == 5)
    }

    @Test func fallsBackToTheCallLine() {
        let locator = FieldLocator(source: source)
        #expect(locator.line(of: ["window_days"], from: 2) == 2)
        #expect(locator.line(of: ["nowhere"], from: 2) == 2)
        #expect(locator.line(of: ["sandbox", "nowhere"], from: 2) == 4)
    }

    @Test func suggestsCloseNames() {
        #expect(closestMatch(to: "windw_days", in: ["window_days", "alpha"]) == "window_days")
        #expect(closestMatch(to: "zzz", in: ["window_days", "alpha"]) == nil)
    }
}
