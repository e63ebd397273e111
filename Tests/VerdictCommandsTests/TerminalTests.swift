import Foundation
import Testing
@testable import VerdictCommands
import VerdictCore

/// Colour only on a terminal that can show it, and never when the user says not to.
@Suite struct TerminalTests {
    @Test func colourRules() {
        #expect(Terminal.usesColor(isTerminal: true, environment: ["TERM": "xterm-256color"]))
        #expect(!Terminal.usesColor(isTerminal: false, environment: [:]))
        #expect(!Terminal.usesColor(isTerminal: true, environment: ["TERM": "dumb"]))
        #expect(!Terminal.usesColor(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(Terminal.usesColor(isTerminal: true, environment: ["NO_COLOR": ""]))
    }
}

/// Every `--json` is laid out the same way, and stays the same JSON.
@Suite struct JSONOutputTests {
    @Test func layoutKeepsStringsAndEmptyContainers() throws {
        let compact = #"{"a":"x\" : {[,]}\\","b":[],"c":{},"d":[1,{"e":null}]}"#
        let laidOut = JSONOutput.indent(compact)
        #expect(laidOut == """
            {
              "a": "x\\" : {[,]}\\\\",
              "b": [],
              "c": {},
              "d": [
                1,
                {
                  "e": null
                }
              ]
            }
            """)
        let before = try JSONSerialization.jsonObject(with: Data(compact.utf8)) as? NSDictionary
        let after = try JSONSerialization.jsonObject(with: Data(laidOut.utf8)) as? NSDictionary
        #expect(before == after)
    }
}
