import Foundation
import VerdictStats
import VerdictScript
import VerdictStore

/// What a custom KPI may see: one change, one arm, a window of local days, some cohorts.
public struct QueryScope: Sendable, Equatable {
    /// The change whose events are seen.
    public var changeID: String?
    /// The arm: the flag variant whose events are seen.
    public var versionFlag: String?
    /// The cohorts seen (empty: all).
    public var cohorts: [String]
    /// The first local day seen.
    public var fromDay: Int32?
    /// The last local day seen.
    public var toDay: Int32?
    /// Only these days (a switchback arm, a before/after baseline); empty: every day in range.
    public var days: [Int32]

    /// Creates a scope.
    public init(
        changeID: String? = nil, versionFlag: String? = nil, cohorts: [String] = [], fromDay: Int32? = nil, toDay: Int32? = nil,
        days: [Int32] = []
    ) {
        self.changeID = changeID
        self.versionFlag = versionFlag
        self.cohorts = cohorts
        self.fromDay = fromDay
        self.toDay = toDay
        self.days = days
    }
}

/// What a custom KPI's `compute(q)` returned.
public enum CustomKPIResult: Sendable, Equatable {
    /// A value (`return 0.82` or `return { value = 0.82, n = 140 }`).
    case value(Double, n: Int?)
    /// A proportion (`return { successes = 115, trials = 140 }`).
    case proportion(successes: Int, trials: Int)
}

/// The read-only query handle `q` a custom KPI computes from: `q:count`, `q:sum`, `q:mean`,
/// `q:quantile`, `q:distinct_users`, `q:values`, each taking filters. Every query is scoped to
/// the current `QueryScope`, which a filter cannot widen, and runs with bound parameters.
public final class QueryHandle {
    private final class State {
        let store: EventStore
        var scope = QueryScope()
        init(store: EventStore) { self.store = store }
    }

    private let state: State
    private let sandbox: LuaSandbox
    private let object: HostObject

    /// The methods of `q`, for the documentation test.
    static let methodNames = ["count", "sum", "mean", "quantile", "distinct_users", "values"]

    /// The most values `q:values` returns.
    public static let valuesLimit = 10_000

    /// Makes the handle's methods in `sandbox`, reading from `store`.
    init(sandbox: LuaSandbox, store: EventStore) {
        let state = State(store: store)
        self.state = state
        self.sandbox = sandbox
        func method(_ name: String, _ allowed: [String], _ body: @escaping (EventFilter, [String: LuaValue]) throws -> LuaValue)
            -> LuaSandbox.HostFunction
        {
            return { call throws(LuaSandbox.HostError) in
                let options = try Self.options(call.arguments, method: name, allowed: allowed)
                let filter = try Self.filter(options, scope: state.scope, method: name)
                do {
                    return try body(filter, options)
                } catch let error as LuaSandbox.HostError {
                    throw error
                } catch {
                    throw LuaSandbox.HostError("q:\(name): \(error)")
                }
            }
        }
        let filters = ["event", "status", "cohort", "props"]
        let methods: [String: LuaSandbox.HostFunction] = [
            "count": method("count", filters) { filter, _ in .integer(Int64(try state.store.count(filter))) },
            "distinct_users": method("distinct_users", filters) { filter, _ in
                .integer(Int64(try state.store.distinctUsers(filter)))
            },
            "sum": method("sum", filters + ["of"]) { filter, options in
                .number(try state.store.sum(try Self.measure(options, "sum"), filter))
            },
            "mean": method("mean", filters + ["of"]) { filter, options in
                try state.store.mean(try Self.measure(options, "mean"), filter).map(LuaValue.number) ?? .nil
            },
            "quantile": method("quantile", filters + ["of", "p"]) { filter, options in
                guard let p = options["p"]?.doubleValue, p >= 0, p <= 1 else {
                    throw LuaSandbox.HostError("q:quantile needs p, a number from 0 to 1")
                }
                let values = try state.store.values(try Self.measure(options, "quantile"), filter, limit: 1_000_000)
                return values.isEmpty ? .nil : .number(Bootstrap.quantile(sorted: values, p))
            },
            "values": method("values", filters + ["of", "limit"]) { filter, options in
                let limit = options["limit"]?.integerValue.map(Int.init) ?? 1000
                guard (1...Self.valuesLimit).contains(limit) else {
                    throw LuaSandbox.HostError("q:values: limit is 1 to \(Self.valuesLimit)")
                }
                return .array(try state.store.values(try Self.measure(options, "values"), filter, limit: limit).map(LuaValue.number))
            },
        ]
        assert(Set(methods.keys) == Set(Self.methodNames), "QueryHandle.methodNames is out of date")
        object = sandbox.makeObject(methods)
    }

    /// Runs a custom KPI's `compute(q)` over `scope`.
    public func compute(_ function: LuaFunction, scope: QueryScope) throws(ScriptError) -> CustomKPIResult {
        let result = try evaluate(function, scope: scope)
        if let number = result.doubleValue, number.isFinite { return .value(number, n: nil) }
        if let successes = result["successes"].integerValue, let trials = result["trials"].integerValue,
            successes >= 0, trials >= successes
        {
            return .proportion(successes: Int(successes), trials: Int(trials))
        }
        if let value = result["value"].doubleValue, value.isFinite {
            return .value(value, n: result["n"].integerValue.map(Int.init))
        }
        throw ScriptError(
            kind: .invalidValue,
            message: "compute returned \(result.typeName == "table" ? "a table" : result.typeName); return a number, { value = x, n = count } or { successes = s, trials = n } (0 <= s <= n)")
    }

    /// Calls `function(q)` over `scope` and returns what it returned, unchecked.
    func evaluate(_ function: LuaFunction, scope: QueryScope) throws(ScriptError) -> LuaValue {
        state.scope = scope
        return try sandbox.call(function, receiver: object)
    }

    private static func options(_ arguments: [LuaValue], method: String, allowed: [String]) throws(LuaSandbox.HostError) -> [String: LuaValue] {
        guard arguments.count <= 1 else { throw LuaSandbox.HostError("q:\(method) takes one table of filters") }
        let options = arguments.first ?? .table([:])
        guard let table = options.tableValue else {
            throw LuaSandbox.HostError("q:\(method) expects a table of filters, as in q:\(method) { event = \"job_completed\" }")
        }
        if let unknown = table.keys.sorted().first(where: { !allowed.contains($0) }) {
            let hint = closestMatch(to: unknown, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw LuaSandbox.HostError("q:\(method): unknown filter '\(unknown)'\(hint); the filters are \(allowed.joined(separator: ", "))")
        }
        return table
    }

    private static func filter(_ options: [String: LuaValue], scope: QueryScope, method: String) throws(LuaSandbox.HostError) -> EventFilter {
        func text(_ key: String) throws(LuaSandbox.HostError) -> String? {
            guard let value = options[key] else { return nil }
            guard let text = value.stringValue else { throw LuaSandbox.HostError("q:\(method): \(key) must be a string") }
            return text
        }
        var filter = EventFilter(
            changeID: scope.changeID, event: try text("event"), cohort: try text("cohort"), versionFlag: scope.versionFlag,
            status: try text("status"), fromDay: scope.fromDay, toDay: scope.toDay)
        filter.cohorts = scope.cohorts
        filter.days = scope.days
        if let props = options["props"] {
            guard let table = props.tableValue else { throw LuaSandbox.HostError("q:\(method): props must be a table") }
            for (name, value) in table {
                guard name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }), !name.isEmpty else {
                    throw LuaSandbox.HostError("q:\(method): \"\(name)\" is not a prop name")
                }
                guard let text = value.stringValue ?? value.doubleValue.map({ CanonicalNumber.format($0) }) else {
                    throw LuaSandbox.HostError("q:\(method): props.\(name) must be a string or a number")
                }
                filter.props[name] = text
            }
        }
        return filter
    }

    private static func measure(_ options: [String: LuaValue], _ method: String) throws(LuaSandbox.HostError) -> MeasureColumn {
        switch options["of"]?.stringValue ?? "value" {
        case "value": return .value
        case "latency_ms": return .latencyMs
        default: throw LuaSandbox.HostError("q:\(method): of must be \"value\" or \"latency_ms\"")
        }
    }
}

@available(*, unavailable)
extension QueryHandle: Sendable {}
