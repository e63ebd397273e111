/// A failure of a Lua script, with where it happened.
///
/// `kind` is stable for programs to match; `description` reads like a compiler's message:
/// `experiments/book-now.lua:12: attempt to call a nil value (global 'kpi')`.
public struct ScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for programs to match on.
    public enum Kind: String, Sendable, Equatable {
        /// The text is not valid Lua (or is a binary chunk).
        case syntax
        /// The script raised an error while running.
        case runtime
        /// The script allocated more memory than the sandbox allows.
        case memoryLimit = "memory_limit"
        /// The script ran more instructions than the sandbox allows.
        case instructionLimit = "instruction_limit"
        /// The script ran longer than the sandbox's wall-clock limit.
        case timeLimit = "time_limit"
        /// A value could not be converted (a function, a cycle, a mixed table, bad UTF-8).
        case invalidValue = "invalid_value"
        /// A declaration is missing, repeated, or has a field of the wrong shape.
        case declaration
        /// The script file could not be read.
        case io
    }

    /// What went wrong, for programs to match on.
    public var kind: Kind
    /// The message without its location.
    public var message: String
    /// The workspace-relative path of the script, when known.
    public var file: String?
    /// The line in `file`, when known.
    public var line: Int?
    /// A short Lua traceback (`experiments/x.lua:12: in function 'f'`), innermost first.
    public var traceback: [String]

    /// Creates an error.
    public init(kind: Kind, message: String, file: String? = nil, line: Int? = nil, traceback: [String] = []) {
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
        self.traceback = traceback
    }

    /// `file:line: message`, or as much of it as is known.
    public var description: String {
        switch (file, line) {
        case (let file?, let line?): "\(file):\(line): \(message)"
        case (let file?, nil): "\(file): \(message)"
        default: message
        }
    }
}
