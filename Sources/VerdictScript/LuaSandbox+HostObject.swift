import CLua
import CLuaShim

/// A table of host methods that scripts call with a colon (`q:count { event = "x" }`), made once
/// per sandbox and passed to script functions by `call(_:receiver:_:)`.
public final class HostObject {
    let owner: UInt
    let reference: Int32
    let methods: [Int]
    let releases: ReleaseQueue

    init(owner: UInt, reference: Int32, methods: [Int], releases: ReleaseQueue) {
        self.owner = owner
        self.reference = reference
        self.methods = methods
        self.releases = releases
    }

    /// The sandbox lets go of the table and its methods at its next use.
    deinit {
        releases.add(.reference(reference))
        for id in methods { releases.add(.hostFunction(id)) }
    }
}

@available(*, unavailable)
extension HostObject: Sendable {}

extension LuaSandbox {
    /// Makes a table of methods. Each receives its arguments without the receiver; calling one
    /// with a dot instead of a colon is an error that says so.
    public func makeObject(_ methods: [String: HostFunction]) -> HostObject {
        releaseDroppedFunctions()
        let L = vs_state(handle)!
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_createtable(L, 0, Int32(methods.count))  // stack: object
        let reference = vs_ref_function(handle, -1)
        var ids: [Int] = []
        for (name, method) in methods.sorted(by: { $0.key < $1.key }) {
            let id = context.register(method, receiver: reference, methodName: name)
            ids.append(id)
            vs_push_host_function(handle, Int32(id))
            lua_setfield(L, -2, name)  // stack: object
        }
        return HostObject(owner: UInt(bitPattern: handle), reference: reference, methods: ids, releases: context.releases)
    }

    /// Calls a declared function with `receiver` as its first argument, then `arguments`.
    public func call(_ function: LuaFunction, receiver: HostObject, _ arguments: [LuaValue] = []) throws(ScriptError) -> LuaValue {
        guard receiver.owner == UInt(bitPattern: handle) else {
            throw ScriptError(kind: .runtime, message: "the object belongs to another Lua sandbox")
        }
        return try call(function, [.function(LuaFunction(owner: receiver.owner, reference: receiver.reference))] + arguments)
    }
}
