import ArgumentParser
import Foundation
import VerdictCore
import VerdictScript

/// Writing to the terminal: colour only on a TTY and never with NO_COLOR.
enum Terminal {
    enum Stream {
        case output, error

        var descriptor: Int32 { self == .output ? STDOUT_FILENO : STDERR_FILENO }
    }

    /// Whether `stream` gets colour: a terminal that is not `TERM=dumb`, and NO_COLOR unset or empty.
    static func usesColor(_ stream: Stream) -> Bool {
        usesColor(isTerminal: isatty(stream.descriptor) != 0, environment: ProcessInfo.processInfo.environment)
    }

    static func usesColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    static func write(_ text: String, to stream: Stream = .output) {
        let handle = stream == .output ? FileHandle.standardOutput : FileHandle.standardError
        handle.write(Data(text.utf8))
    }

    /// `text` in bold red (or plain, where colour is off).
    static func alert(_ text: String, on stream: Stream) -> String {
        usesColor(stream) ? "\u{1B}[1;31m\(text)\u{1B}[0m" : text
    }

    /// `text` in bold yellow (or plain).
    static func warning(_ text: String, on stream: Stream) -> String {
        usesColor(stream) ? "\u{1B}[1;33m\(text)\u{1B}[0m" : text
    }

    /// `text` dimmed (or plain).
    static func dim(_ text: String, on stream: Stream) -> String {
        usesColor(stream) ? "\u{1B}[2m\(text)\u{1B}[0m" : text
    }

    /// Prints an error the way a compiler does (`file:line: message`, then its traceback) and
    /// returns the exit code for it.
    static func report(_ error: any Error) -> ExitCode {
        var text = "\(alert("error:", on: .error)) \(error)\n"
        if let scriptError = error as? ScriptError ?? (error as? any ScriptErrorCarrier)?.scriptError {
            if scriptError.kind == .runtime && !scriptError.traceback.isEmpty {
                text += scriptError.traceback.map { dim("    \($0)", on: .error) + "\n" }.joined()
            }
        }
        write(text, to: .error)
        // 75 (EX_TEMPFAIL): nothing was done, try again later; as a scheduled run that found another.
        return Workspace.isBusy(error) ? ExitCode(75) : .failure
    }
}

/// An error that wraps a script error, so its traceback can be shown.
protocol ScriptErrorCarrier {
    var scriptError: ScriptError? { get }
}
