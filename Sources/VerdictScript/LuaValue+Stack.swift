import CLua
import CLuaShim

/// A conversion failure, with the path of the field that failed (`primary.pass`).
struct ConversionError: Error {
    var message: String
}

extension LuaValue {
    /// The deepest table nesting converted; deeper data is almost surely a mistake.
    static let maximumDepth = 64

    /// Reads the value at `index` without running any Lua code (raw access only, no
    /// metamethods) and without any call that could raise, so it is safe from a Swift frame.
    /// Leaves the stack as it found it.
    /// With `keepingFunctions`, functions become `.function` references instead of errors.
    static func read(
        from L: OpaquePointer, at index: Int32, path: String = "", keepingFunctions: Bool = false
    ) throws(ConversionError) -> LuaValue {
        var reader = StackReader(L: L, keepsFunctions: keepingFunctions)
        return try reader.read(lua_absindex(L, index), path: path, depth: 0)
    }

    /// Pushes the value as a fresh Lua value (tables are new tables).
    func push(onto L: OpaquePointer) {
        guard lua_checkstack(L, 4) != 0 else { return lua_pushnil(L) }
        switch self {
        case .nil:
            lua_pushnil(L)
        case .boolean(let flag):
            lua_pushboolean(L, flag ? 1 : 0)
        case .integer(let value):
            lua_pushinteger(L, lua_Integer(value))
        case .number(let value):
            lua_pushnumber(L, value)
        case .string(let text):
            pushString(text, onto: L)
        case .function(let function):
            vs_push_function(vs_from_state(L), function.reference)
        case .array(let items):
            lua_createtable(L, Int32(clamping: items.count), 0)
            for (offset, item) in items.enumerated() {
                item.push(onto: L)
                lua_rawseti(L, -2, lua_Integer(offset + 1))  // stack: table
            }
        case .table(let fields):
            lua_createtable(L, 0, Int32(clamping: fields.count))
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                pushString(key, onto: L)
                value.push(onto: L)
                lua_rawset(L, -3)  // stack: table
            }
        }
    }
}

private func pushString(_ text: String, onto L: OpaquePointer) {
    text.withCString { chars in
        _ = lua_pushlstring(L, chars, text.utf8.count)
    }
}

/// Walks a Lua value depth first, tracking the tables on the current path to detect cycles.
private struct StackReader {
    let L: OpaquePointer
    let keepsFunctions: Bool
    var ancestors: Set<UnsafeRawPointer> = []

    mutating func read(_ index: Int32, path: String, depth: Int) throws(ConversionError) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(clua_tointeger(L, index))) }
            return .number(clua_tonumber(L, index))
        case LUA_TSTRING:
            return .string(try readString(index, path: path))
        case LUA_TTABLE:
            return try readTable(index, path: path, depth: depth)
        case LUA_TFUNCTION where keepsFunctions:
            let sandbox = vs_from_state(L)!
            let reference = vs_ref_function(sandbox, index)
            let context = Unmanaged<Context>.fromOpaque(vs_owner(sandbox)!).takeUnretainedValue()
            return .function(
                LuaFunction(
                    owner: UInt(bitPattern: sandbox), reference: reference,
                    keeper: FunctionKeeper(reference: reference, releases: context.releases)))
        case let type:
            let name = String(cString: lua_typename(L, type))
            throw ConversionError(
                message: "\(describe(path)) is a \(name); only data (nil, booleans, numbers, strings and tables of them) can be used here"
            )
        }
    }

    /// Reads a string-typed slot. lua_tolstring on a string neither converts nor allocates.
    private func readString(_ index: Int32, path: String) throws(ConversionError) -> String {
        var length = 0
        let pointer = lua_tolstring(L, index, &length)
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConversionError(message: "\(describe(path)) is not valid UTF-8 text")
        }
        return text
    }

    private mutating func readTable(_ index: Int32, path: String, depth: Int) throws(ConversionError) -> LuaValue {
        guard depth < LuaValue.maximumDepth, lua_checkstack(L, 4) != 0 else {
            throw ConversionError(message: "\(describe(path)) is nested more than \(LuaValue.maximumDepth) tables deep")
        }
        let identity = lua_topointer(L, index)!
        guard ancestors.insert(identity).inserted else {
            throw ConversionError(message: "\(describe(path)) contains itself (a cycle); only tree-shaped tables can be used here")
        }
        defer { ancestors.remove(identity) }

        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        var named: [String: LuaValue] = [:]
        var indexed: [Int64: LuaValue] = [:]
        lua_pushnil(L)  // stack: nil (first key)
        while lua_next(L, index) != 0 {  // stack: key, value
            let valueIndex = lua_gettop(L)
            let keyIndex = valueIndex - 1
            switch lua_type(L, keyIndex) {
            case LUA_TSTRING:
                let key = try readString(keyIndex, path: path)
                named[key] = try read(valueIndex, path: child(path, key), depth: depth + 1)
            case LUA_TNUMBER where lua_isinteger(L, keyIndex) != 0:
                let key = Int64(clua_tointeger(L, keyIndex))
                indexed[key] = try read(valueIndex, path: "\(path)[\(key)]", depth: depth + 1)
            case let type:
                let shown = type == LUA_TNUMBER ? "number \(clua_tonumber(L, keyIndex))" : String(cString: lua_typename(L, type))
                throw ConversionError(message: "\(describe(path)) has a key that is a \(shown); keys must be names or list positions")
            }
            clua_pop(L, 1)  // stack: key
        }

        if indexed.isEmpty { return .table(named) }
        if let name = named.keys.min() {
            throw ConversionError(
                message: "\(describe(path)) mixes list items with named fields (such as \"\(name)\"); use one or the other"
            )
        }
        let count = Int64(indexed.count)
        if let missing = (1...count).first(where: { indexed[$0] == nil }) {
            throw ConversionError(
                message: "\(describe(path)) is a list with a hole: it has \(count) items but no item [\(missing)]"
            )
        }
        return .array((1...count).map { indexed[$0]! })
    }
}

/// `parent.key`, or `parent["odd key"]` when the key is not an identifier.
func child(_ path: String, _ key: String) -> String {
    let isIdentifier = key.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
        && key.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    if isIdentifier { return path.isEmpty ? key : "\(path).\(key)" }
    return "\(path)[\(LuaValue.string(key).luaLiteral())]"
}

/// How a path appears at the start of a message.
func describe(_ path: String) -> String {
    path.isEmpty ? "the value" : path
}
