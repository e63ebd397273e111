/// The one owner of a sandbox in a long-lived process (`verdict serve`): every use of the Lua
/// state goes through this actor, one at a time, so tasks share it safely and pass only
/// `Sendable` values in and out.
public actor ScriptHost {
    private let sandbox: LuaSandbox

    /// Owns `make()`'s sandbox from now on; nothing else may keep a reference to it.
    public init(_ make: () throws(ScriptError) -> LuaSandbox) throws(ScriptError) {
        sandbox = try make()
    }

    /// Runs `body` with the sandbox, alone. What it returns must be `Sendable`: Lua values as data,
    /// figures, never the sandbox.
    public func withSandbox<T: Sendable>(_ body: @Sendable (LuaSandbox) throws -> T) rethrows -> T {
        try body(sandbox)
    }

    /// What the sandbox holds now: Lua memory after a full collection, the functions it keeps
    /// for the host, and the host functions registered (all three stay flat in a healthy process).
    public func footprint() -> (memory: Int, keptFunctions: Int, hostFunctions: Int) {
        sandbox.collectGarbage()
        return (sandbox.memoryInUse, sandbox.keptFunctionCount, sandbox.registeredHostFunctionCount)
    }
}
