/// What a declaration function received: its table, and the line of the call.
public struct Declaration: Sendable {
    /// The declared table, as data.
    public var value: LuaValue
    /// Where the declaring call is.
    public var location: SourceLocation
}

extension LuaSandbox {
    /// Runs a script whose job is to call the declaration function `name` exactly once with a
    /// table (`return workspace { ... }`), and returns what it declared.
    ///
    /// The function exists only while this script loads. Lua functions in the declared table
    /// (a KPI's `compute`, an importer's `map`) arrive as `.function` references for `call`. Declaring nothing, declaring twice, or
    /// passing anything but one table fails with an error at the script's `file:line`.
    public func declaration(
        _ name: String, source: String, chunkName: String, prelude: Prelude? = nil, globals: [String: HostFunction] = [:]
    ) throws(ScriptError) -> Declaration {
        final class Box { var declaration: Declaration? }
        let box = Box()
        let declare: HostFunction = { call throws(HostError) in
            guard call.arguments.count == 1, case .table = call.arguments[0] else {
                let got = call.arguments.first?.typeName ?? "nothing"
                throw HostError("\(name) expects one table, as in \(name) { ... }; got \(got)")
            }
            let location = call.location ?? SourceLocation(file: chunkName, line: 1)
            if let first = box.declaration {
                throw HostError("\(name) is declared twice; the first declaration is at \(first.location)")
            }
            box.declaration = Declaration(value: call.arguments[0], location: location)
            return call.arguments[0]
        }
        _ = try run(
            source, chunkName: chunkName, globals: globals.merging([name: declare]) { _, own in own }, prelude: prelude,
            functionTaking: [name], loadOnly: [name])
        guard let declaration = box.declaration else {
            throw ScriptError(
                kind: .declaration, message: "declares nothing: the script must call \(name) { ... }", file: chunkName)
        }
        return declaration
    }
}
