import CLua

/// A place in a script: its workspace-relative path and a line.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The workspace-relative path (`experiments/book-now.lua`).
    public var file: String
    /// The 1-based line.
    public var line: Int

    /// Creates a location.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// `file:line`.
    public var description: String { "\(file):\(line)" }

    /// Where the Lua function that called the running host function is, if it is Lua code.
    static func caller(_ L: OpaquePointer) -> SourceLocation? {
        var record = lua_Debug()
        guard lua_getstack(L, 1, &record) != 0, lua_getinfo(L, "Sl", &record) != 0,
            record.currentline > 0, let source = record.source
        else { return nil }
        var name = String(cString: source)
        guard name.first == "@" else { return nil }
        name.removeFirst()
        return SourceLocation(file: name, line: Int(record.currentline))
    }
}

extension ScriptError {
    /// Splits a Lua error message (`file:line: text`, then perhaps a traceback) into its parts.
    static func parse(_ raw: String, kind: Kind) -> ScriptError {
        var text = Substring(raw)
        var traceback: [String] = []
        if let range = text.firstRange(of: "\nstack traceback:\n") {
            traceback = text[range.upperBound...]
                .split(separator: "\n")
                .map { $0.trimmingPrefix("\t") }
                .filter { !$0.hasPrefix("[C]: in ?") && !$0.contains("(...tail calls...)") }
                .prefix(10)
                .map(String.init)
            text = text[..<range.lowerBound]
        }
        guard let (file, line, message) = splitLocation(text) else {
            return ScriptError(kind: kind, message: String(text), traceback: traceback)
        }
        return ScriptError(kind: kind, message: message, file: file, line: line, traceback: traceback)
    }

    /// The first traceback entry in a script (`plugins/importers/x.lua:12: in ...`), as file
    /// and line: where a limit struck, when its message carries no location.
    var innermostScriptLine: (String, Int)? {
        for entry in traceback where !entry.hasPrefix("[C]") {
            if let (file, line, _) = Self.splitLocation(Substring(entry)) { return (file, line) }
        }
        return nil
    }

    /// `file:line: message` → its parts; nil when the text does not start with a location.
    private static func splitLocation(_ text: Substring) -> (String, Int, String)? {
        var search = text.startIndex
        while let colon = text[search...].firstIndex(of: ":") {
            let afterColon = text.index(after: colon)
            let digits = text[afterColon...].prefix(while: \.isASCIIDigitCharacter)
            if !digits.isEmpty, text[digits.endIndex...].hasPrefix(": "), let line = Int(digits) {
                let file = String(text[..<colon])
                guard !file.contains("\n") else { return nil }
                let message = String(text[text.index(digits.endIndex, offsetBy: 2)...])
                return (file, line, message)
            }
            search = afterColon
        }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
