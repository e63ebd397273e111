import Foundation

/// The README's tutorial as a transcript: each `$ command` line of a ```console block, and the
/// lines after it (until the next command or the block's end) as its expected output.
///
/// In expected output a line `...` stands for any number of lines, and a line ending in `...`
/// for any line that starts with the rest. `make demo` runs the same commands
/// (`experiments/examples/demo.sh`), so the README is the one source of the tutorial.
public enum ReadmeTranscript {
    /// One command with what it should print.
    public struct Step: Sendable {
        /// The command, as typed after `$ `.
        public var command: String
        /// Its line in the README.
        public var line: Int
        /// The lines it should print (standard output and error together).
        public var expected: [String]
    }

    /// The steps of every console block in `markdown`, in order.
    public static func steps(in markdown: String) -> [Step] {
        var steps: [Step] = []
        var inConsole = false, inOtherBlock = false
        for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") {
                if inConsole || inOtherBlock {
                    inConsole = false
                    inOtherBlock = false
                } else if line == "```console" {
                    inConsole = true
                } else {
                    inOtherBlock = true
                }
                continue
            }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") {
                steps.append(Step(command: String(line.dropFirst(2)), line: index + 1, expected: []))
            } else if !steps.isEmpty {
                steps[steps.count - 1].expected.append(String(line))
            }
        }
        return steps
    }

    /// Runs the steps in order in one shell in `folder`; returns what each printed.
    public static func run(_ steps: [Step], in folder: URL, environment: [String: String]) throws -> [String] {
        let marker = "@@readme-step-\(UUID().uuidString)@@"
        var script = "exec 2>&1\n"
        for step in steps {
            script += "printf '%s\\n' '\(marker)'\n\(step.command)\n"
        }
        let result = try VerdictProcess.run(
            program: URL(fileURLWithPath: "/bin/bash"), ["-c", script], in: folder, environment: environment)
        var outputs = result.output.components(separatedBy: marker + "\n")
        outputs.removeFirst()
        return outputs
    }

    /// Whether `actual` matches `expected` with its `...` wildcards.
    public static func matches(expected: [String], actual: [String]) -> Bool {
        func match(_ e: Int, _ a: Int) -> Bool {
            if e == expected.count { return a == actual.count }
            let pattern = expected[e]
            if pattern == "..." {
                return (a...actual.count).contains { match(e + 1, $0) }
            }
            guard a < actual.count else { return false }
            let line = actual[a]
            let fits = pattern.hasSuffix("...") ? line.hasPrefix(pattern.dropLast(3)) : line == pattern
            return fits && match(e + 1, a + 1)
        }
        return match(0, 0)
    }
}
