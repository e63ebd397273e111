import Testing
@testable import VerdictCommands

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
