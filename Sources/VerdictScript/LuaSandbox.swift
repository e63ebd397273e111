import CLua
import CLuaShim
import CVerdictHash

/// One sandboxed Lua state, the only way Verdict runs a script.
///
/// A script sees the base functions without `dofile`, `loadfile`, `collectgarbage` and `require`
/// (`load` takes text only), private copies of `string` (without `dump`), `table`, `math`
/// (with a seeded `math.random`), `utf8` and `coroutine`, and whatever host functions the caller
/// installs. It cannot reach io, os, debug, package or C modules. Every chunk runs in its own
/// environment, so nothing one script assigns — globals, or fields of its `string` table — is
/// seen by another.
///
/// Each call runs under ``SandboxLimits``; exceeding one fails that call with a ``ScriptError``
/// naming the limit, and the sandbox runs the next call normally.
///
/// The state belongs to the thread that uses it: share a sandbox across tasks only inside an
/// actor, and pass ``LuaValue``s between tasks.
public final class LuaSandbox {
    /// What a host function receives: its arguments as data, and the script line that called it.
    public struct HostCall: Sendable {
        /// The arguments, converted with their positions as paths (`argument #1.time_zone`).
        public var arguments: [LuaValue]
        /// The chunk and line of the call, when the caller is a Lua function.
        public var location: SourceLocation?
    }

    /// A Swift function callable from Lua. It returns one value, or throws a message that Lua
    /// raises at the caller's `file:line`.
    public typealias HostFunction = (HostCall) throws(HostError) -> LuaValue

    /// A failure a host function reports to the script; Lua raises it as an error.
    public struct HostError: Error, Sendable {
        /// The message, without location (the caller's `file:line` is added).
        public var message: String
        /// Creates an error with a message.
        public init(_ message: String) { self.message = message }
    }

    let handle: OpaquePointer
    let context: Context
    private let moduleLog = ModuleLog()

    /// Every module `require` has loaded into this sandbox, in the order they loaded (each loads
    /// once per sandbox, so a fresh sandbox gives exactly what one script needs, transitively).
    public var loadedModules: [LoadedModule] { moduleLog.modules }
    /// The seed from which every environment's `math.random` is derived.
    public let seed: UInt64

    /// The limits applied to each call from now on.
    public var limits: SandboxLimits {
        didSet {
            vs_set_limits(handle, limits.memoryBytes, limits.instructions, limits.seconds)
        }
    }

    /// Opens a sandbox.
    /// - Parameters:
    ///   - limits: the resources each call may use.
    ///   - seed: the seed of `math.random`; each chunk's generator is derived from it and the
    ///     chunk's name, so a script draws the same numbers on every run.
    ///   - print: receives each line a script prints; without it, printing does nothing.
    ///   - plugins: where `require` finds modules; without it, scripts have no `require`.
    public init(
        limits: SandboxLimits = .standard, seed: UInt64 = 0, print: (@Sendable (String) -> Void)? = nil,
        plugins: PluginSearchPath? = nil
    ) throws(ScriptError) {
        self.limits = limits
        self.seed = seed
        self.context = Context(print: print)
        var config = vs_config(
            memory_bytes: limits.memoryBytes,
            instructions: limits.instructions,
            seconds: limits.seconds,
            owner: Unmanaged.passUnretained(context).toOpaque(),
            dispatch: hostDispatch,
            print_sink: printSink
        )
        var message = [CChar](repeating: 0, count: 512)
        guard let handle = vs_open(&config, &message, message.count) else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ScriptError(kind: .runtime, message: text)
        }
        self.handle = handle
        if let plugins {
            let log = moduleLog
            let resolver: HostFunction = { call throws(HostError) in
                guard let name = call.arguments.first?.stringValue else { throw HostError("require expects a module name") }
                let (source, chunkName) = try plugins.resolve(name)
                log.modules.append(LoadedModule(chunkName: chunkName, source: source))
                return ["source": .string(source), "chunk": .string("@" + chunkName)]
            }
            vs_enable_require(handle, Int32(context.register(resolver)))
        }
    }

    deinit {
        vs_close(handle)
    }

    /// Drops the references of functions no `LuaFunction` holds any more, so Lua can collect
    /// them (and the environments they close over).
    func releaseDroppedFunctions() {
        for release in context.releases.take() {
            switch release {
            case .reference(let reference): vs_unref_function(handle, reference)
            case .hostFunction(let id): context.unregister(id)
            }
        }
    }

    /// Host functions registered now (globals of loaded scripts, host objects' methods).
    public var registeredHostFunctionCount: Int {
        releaseDroppedFunctions()
        return context.functions.count
    }

    /// Runs a full garbage collection (after dropping what the host no longer holds).
    public func collectGarbage() {
        releaseDroppedFunctions()
        vs_collect_garbage(handle)
    }

    /// How many bytes the Lua state uses now (what the memory limit counts).
    public var memoryInUse: Int { Int(vs_memory_used(handle)) }

    /// Function references the sandbox keeps for the host (declared functions and host objects).
    public var keptFunctionCount: Int {
        releaseDroppedFunctions()
        return Int(vs_kept_function_count(handle))
    }

    /// Runs Lua source as a chunk in a fresh environment and returns its first result as data.
    ///
    /// - Parameters:
    ///   - source: the text of the chunk; binary chunks are refused.
    ///   - chunkName: the workspace-relative path errors will name (`experiments/x.lua`).
    ///   - globals: host functions to install in the chunk's environment.
    /// - Returns: the chunk's first return value, or `.nil`.
    ///   - prelude: Lua run first in the same environment (the experiment language's helpers).
    ///   - functionTaking: the globals whose arguments may hold Lua functions, kept as `.function`
    ///     references for `call` (declarations); other host functions refuse functions.
    public func run(
        _ source: String, chunkName: String, globals: [String: HostFunction] = [:], prelude: Prelude? = nil,
        functionTaking: Set<String> = []
    ) throws(ScriptError) -> LuaValue {
        try run(
            source, chunkName: chunkName, globals: globals, prelude: prelude, functionTaking: functionTaking,
            withStockStringLibrary: false)
    }

    /// Like `run`, but the host functions named in `loadOnly` exist only while the chunk runs:
    /// afterwards they are unregistered, and calling one (from a function the script kept) is an
    /// error that says so. Declarations use it, so reloading scripts does not grow the sandbox.
    func run(
        _ source: String, chunkName: String, globals: [String: HostFunction], prelude: Prelude?, functionTaking: Set<String>,
        loadOnly: Set<String>
    ) throws(ScriptError) -> LuaValue {
        try run(
            source, chunkName: chunkName, globals: globals, prelude: prelude, functionTaking: functionTaking,
            withStockStringLibrary: false, loadOnly: loadOnly)
    }

    /// Calls a function a script declared, under the sandbox's limits, and returns its first
    /// result as data. Errors name the script's `file:line` as usual.
    public func call(_ function: LuaFunction, _ arguments: [LuaValue]) throws(ScriptError) -> LuaValue {
        guard function.owner == UInt(bitPattern: handle) else {
            throw ScriptError(kind: .runtime, message: "the function belongs to another Lua sandbox")
        }
        releaseDroppedFunctions()
        let L = vs_state(handle)!
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        vs_push_function(handle, function.reference)
        for argument in arguments { argument.push(onto: L) }
        let status = vs_call(handle, Int32(arguments.count), 1)
        // An error without a location (`error(message, 0)`, a limit) keeps its own words, or
        // the script line the traceback saw, never a made-up file name.
        guard status == LUA_OK else { throw failure(status: status, chunkName: nil, L) }
        if trippedLimit() != nil {
            throw failure(status: LUA_ERRMEM, chunkName: nil, L, message: "")
        }
        do {
            return try LuaValue.read(from: L, at: -1, path: "result")
        } catch {
            throw ScriptError(kind: .invalidValue, message: error.message)
        }
    }

    /// Lua source that a script's environment runs before the script.
    public struct Prelude: Sendable {
        /// The source.
        public var source: String
        /// The chunk name its errors show.
        public var chunkName: String

        /// Creates a prelude.
        public init(source: String, chunkName: String) {
            self.source = source
            self.chunkName = chunkName
        }
    }

    /// Runs a chunk that also sees the stock (unguarded) string library as the global `stock`,
    /// for the differential tests of the guarded pattern functions. Not for scripts.
    package func runWithStockStringLibrary(_ source: String, chunkName: String) throws(ScriptError) -> LuaValue {
        try run(source, chunkName: chunkName, globals: [:], prelude: nil, functionTaking: [], withStockStringLibrary: true)
    }

    private func run(
        _ source: String, chunkName: String, globals: [String: HostFunction], prelude: Prelude?,
        functionTaking: Set<String>, withStockStringLibrary: Bool, loadOnly: Set<String> = []
    ) throws(ScriptError) -> LuaValue {
        releaseDroppedFunctions()
        var scoped: [Int] = []
        defer { for id in scoped { context.unregister(id) } }
        let L = vs_state(handle)!
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }

        guard vs_push_environment(handle, seed ^ fnv1a(chunkName)) == LUA_OK else {
            throw ScriptError(kind: .runtime, message: "cannot create an environment: \(popString(L))")
        }
        let environment = lua_gettop(L)
        for (name, function) in globals.sorted(by: { $0.key < $1.key }) {
            let id = context.register(function, keepingFunctions: functionTaking.contains(name))
            if loadOnly.contains(name) { scoped.append(id) }
            vs_push_host_function(handle, Int32(id))
            lua_setfield(L, environment, name)  // stack: env
        }
        if withStockStringLibrary {
            vs_push_stock_string_library(handle)
            lua_setfield(L, environment, "stock")  // stack: env
        }

        if let prelude {
            let loaded = prelude.source.withCString { text in
                vs_load(handle, text, prelude.source.utf8.count, "=" + prelude.chunkName, environment)
            }
            guard loaded == LUA_OK else { throw failure(status: loaded, chunkName: prelude.chunkName, L) }
            let ran = vs_call(handle, 0, 0)  // stack: env
            guard ran == LUA_OK else { throw failure(status: ran, chunkName: prelude.chunkName, L) }
        }
        let status = source.withCString { text in
            vs_load(handle, text, source.utf8.count, "@" + chunkName, environment)
        }
        guard status == LUA_OK else {
            throw failure(status: status, chunkName: chunkName, L)
        }
        let callStatus = vs_call(handle, 0, 1)  // stack: env, result
        guard callStatus == LUA_OK else {
            throw failure(status: callStatus, chunkName: chunkName, L)
        }
        if trippedLimit() != nil {
            // The script caught the limit's error (pcall) and finished; it still exceeded it.
            throw failure(status: LUA_ERRMEM, chunkName: chunkName, L, message: "")
        }
        do {
            return try LuaValue.read(from: L, at: -1, path: "result", keepingFunctions: !functionTaking.isEmpty)
        } catch {
            throw ScriptError(kind: .invalidValue, message: error.message, file: chunkName)
        }
    }

    private func failure(status: Int32, chunkName: String?, _ L: OpaquePointer, message: String? = nil) -> ScriptError {
        var error = ScriptError.parse(message ?? popString(L), kind: status == LUA_ERRSYNTAX ? .syntax : .runtime)
        if let limit = trippedLimit() ?? (status == LUA_ERRMEM ? .memoryLimit : nil) {
            // The location is where the limit struck; the message is the limit's own, whatever
            // handlers (coroutine.wrap, error rethrown by the script) did to the text on the way.
            error.kind = limit
            error.message = limitMessage()
            var file: UnsafePointer<CChar>?
            let line = vs_memory_trip_location(handle, &file)
            if limit == .memoryLimit, line > 0, let file {
                error.file = String(cString: file)
                error.line = Int(line)
            }
        }
        if error.file == nil, error.kind != .runtime, let (file, line) = error.innermostScriptLine {
            error.file = file
            error.line = line
        }
        if error.file == nil { error.file = chunkName }
        return error
    }

    private func trippedLimit() -> ScriptError.Kind? {
        switch vs_tripped(handle) {
        case VS_LIMIT_MEMORY: .memoryLimit
        case VS_LIMIT_INSTRUCTIONS: .instructionLimit
        case VS_LIMIT_TIME: .timeLimit
        default: nil
        }
    }

    private func limitMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        vs_limit_message(handle, &buffer, buffer.count)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private func popString(_ L: OpaquePointer) -> String {
        var length = 0
        guard let pointer = lua_tolstring(L, -1, &length) else {
            return "(error object is a \(String(cString: clua_typename(L, -1))) value)"
        }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}

@available(*, unavailable)
extension LuaSandbox: Sendable {}

/// A module as `require` loaded it: its chunk name (`plugins/crew.lua`,
/// `verdict-plugins/verdict/kpi.lua`) and its text.
public struct LoadedModule: Sendable, Equatable {
    public var chunkName: String
    public var source: String
}

final class ModuleLog {
    var modules: [LoadedModule] = []
}

/// The part of a sandbox that C calls back into: host functions and the print sink.
final class Context {
    /// One registered host function.
    struct Entry {
        var function: LuaSandbox.HostFunction
        /// Whether its arguments may hold Lua functions (declarations).
        var keepsFunctions: Bool
        /// For methods: the registry reference of their object, and their name.
        var receiver: (reference: Int32, name: String)?
    }

    /// By id; ids are never reused, so a stale Lua closure can never reach another function.
    var functions: [Int: Entry] = [:]
    private var nextID = 0
    let print: (@Sendable (String) -> Void)?
    /// Function references no value holds any more, to drop at the sandbox's next use.
    let releases = ReleaseQueue()

    init(print: (@Sendable (String) -> Void)?) {
        self.print = print
    }

    func register(
        _ function: @escaping LuaSandbox.HostFunction, keepingFunctions: Bool = false, receiver: Int32? = nil,
        methodName: String = ""
    ) -> Int {
        let id = nextID
        nextID += 1
        functions[id] = Entry(function: function, keepsFunctions: keepingFunctions, receiver: receiver.map { ($0, methodName) })
        return id
    }

    func unregister(_ id: Int) {
        functions.removeValue(forKey: id)
    }

    /// Runs host function `id` with the arguments on the stack. Never raises: an error is
    /// pushed as a message and reported by returning -1, and the C trampoline raises it.
    func dispatch(_ L: OpaquePointer, id: Int) -> Int32 {
        guard let entry = functions[id] else {
            lua_pushstring(L, "this function only works while its script loads (declarations such as experiment { ... })")
            return -1
        }
        let count = lua_gettop(L)
        var first: Int32 = 1
        if let receiver = entry.receiver {
            // A method: argument 1 must be its object (called with a colon).
            vs_push_function(vs_from_state(L), receiver.reference)
            let isReceiver = count >= 1 && lua_rawequal(L, 1, -1) != 0
            clua_pop(L, 1)
            guard isReceiver else {
                lua_pushstring(L, "call \(receiver.name) with a colon, as in q:\(receiver.name) { ... }")
                return -1
            }
            first = 2
        }
        var arguments: [LuaValue] = []
        arguments.reserveCapacity(Int(count))
        for index in stride(from: first, through: count, by: 1) {
            do {
                arguments.append(
                    try LuaValue.read(from: L, at: index, path: "argument #\(index)", keepingFunctions: entry.keepsFunctions))
            } catch {
                lua_pushstring(L, error.message)
                return -1
            }
        }
        do {
            let result = try entry.function(LuaSandbox.HostCall(arguments: arguments, location: SourceLocation.caller(L)))
            result.push(onto: L)
            return 1
        } catch {
            lua_pushstring(L, error.message)
            return -1
        }
    }
}

private let hostDispatch: vs_host_dispatch = { state, owner, id in
    let context = Unmanaged<Context>.fromOpaque(owner!).takeUnretainedValue()
    return context.dispatch(state!, id: Int(id))
}

private let printSink: vs_print_sink = { owner, text, length in
    let context = Unmanaged<Context>.fromOpaque(owner!).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    context.print?(line)
}

/// FNV-1a of a chunk name, to derive its random seed.
private func fnv1a(_ text: String) -> UInt64 {
    var text = text
    return text.withUTF8 { vh_fnv1a($0.baseAddress, $0.count) }
}
