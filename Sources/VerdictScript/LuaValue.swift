import Synchronization

/// A Lua function that a sandbox keeps so the host can call it later (`LuaSandbox.call`): a
/// custom KPI's `compute`, an importer's `map`. Only the sandbox that made it can call it.
///
/// The sandbox keeps the function while any copy of this value exists: when the last copy goes
/// (the declaration that held it is dropped), the sandbox lets the function go at its next use,
/// so a long-lived process that reloads scripts does not grow.
public struct LuaFunction: Sendable, Hashable {
    let owner: UInt
    let reference: Int32
    /// Releases the reference when the last copy goes; nil for references owned elsewhere.
    let keeper: FunctionKeeper?

    init(owner: UInt, reference: Int32, keeper: FunctionKeeper? = nil) {
        self.owner = owner
        self.reference = reference
        self.keeper = keeper
    }

    public static func == (a: LuaFunction, b: LuaFunction) -> Bool {
        a.owner == b.owner && a.reference == b.reference
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(owner)
        hasher.combine(reference)
    }
}

/// Holds one function reference for its `LuaFunction` copies; on deinit (on whatever thread the
/// last copy died) it only queues the reference, and the sandbox drops it on its own thread.
final class FunctionKeeper: Sendable {
    let reference: Int32
    let releases: ReleaseQueue

    init(reference: Int32, releases: ReleaseQueue) {
        self.reference = reference
        self.releases = releases
    }

    deinit {
        releases.add(.reference(reference))
    }
}

/// What a sandbox keeps for the host and may let go once nothing uses it.
enum Release: Sendable {
    /// A registry reference made by `vs_ref_function` (a declared function, a host object).
    case reference(Int32)
    /// A registered host function (a host object's method).
    case hostFunction(Int)
}

/// Things whose last holder is gone, waiting for their sandbox to drop them on its own thread.
final class ReleaseQueue: Sendable {
    private let pending = Mutex<[Release]>([])

    func add(_ release: Release) {
        pending.withLock { $0.append(release) }
    }

    func take() -> [Release] {
        pending.withLock { releases in
            defer { releases.removeAll(keepingCapacity: true) }
            return releases
        }
    }
}

/// A Lua value as plain Swift data: what a script returns or passes to the host.
///
/// Tables become `.array` when their keys are exactly `1...n` and `.table` when every key is a
/// string; an empty table is `.table([:])`. Functions, coroutines, userdata, cyclic tables and
/// tables that mix list items with named fields have no `LuaValue`: converting them fails with
/// an error that names the field path.
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([LuaValue])
    case table([String: LuaValue])
    /// A Lua function kept by the sandbox that produced it, to call later (declarations only).
    case function(LuaFunction)

    /// The Lua type name (`"nil"`, `"boolean"`, `"number"`, `"string"`, `"table"`), as Lua's
    /// `type()` reports it.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array, .table: "table"
        case .function: "function"
        }
    }

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number as a `Double`, for integers and floats alike.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    /// The integer, for integers and for floats with an exact integer value (as Lua converts).
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .number(let value):
            guard value.rounded() == value, let exact = Int64(exactly: value) else { return nil }
            return exact
        default: return nil
        }
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .boolean(let flag) = self { return flag }
        return nil
    }

    /// The items of a list; an empty table counts as an empty list.
    public var arrayValue: [LuaValue]? {
        switch self {
        case .array(let items): items
        case .table(let fields) where fields.isEmpty: []
        default: nil
        }
    }

    /// The fields of a table with string keys; an empty list counts as an empty table.
    public var tableValue: [String: LuaValue]? {
        switch self {
        case .table(let fields): fields
        case .array(let items) where items.isEmpty: [:]
        default: nil
        }
    }

    /// Looks up a field of a table; `.nil` for anything else, as Lua's indexing of a missing key.
    public subscript(field: String) -> LuaValue {
        tableValue?[field] ?? .nil
    }
}

extension LuaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .nil }
}
