import Crypto
import Foundation
import VerdictScript

/// A webhook mapping plugin (`plugins/hooks/PROVIDER.lua`): reads a delivery's JSON and gives
/// the events it means. Like importers, a contractor copies one into the workspace's
/// `plugins/hooks/` to change it (the workspace's wins).
///
/// ```lua
/// return hook {
///   description = "Jobber webhooks",
///   topic = function(payload) return payload.data.webHookEvent.topic end,
///   map = {
///     JOB_CLOSED = function(payload, delivery) return { event = "job_completed", ... } end,
///   },
/// }
/// ```
///
/// A topic with no function in `map` is kept and counted, not refused.
public struct HookMapping {
    public let name: String
    public let description: String
    /// SHA-256 over the plugin's text and the modules it required: part of a delivery batch's identity.
    public let seal: String
    let topic: LuaFunction
    let map: [String: LuaFunction]
    let sandbox: LuaSandbox

    public init(for provider: HookProvider, workspace: Workspace) throws(ScriptError) {
        name = provider.pluginName
        let resolved: (source: String, chunkName: String)
        do {
            resolved = try workspace.pluginSearchPath.resolve("hooks." + name)
        } catch {
            throw ScriptError(kind: .io, message: "no webhook mapping \"\(name)\": \(error.message)")
        }
        sandbox = try workspace.makeSandbox()
        let declaration = try sandbox.declaration("hook", source: resolved.source, chunkName: resolved.chunkName)
        let reader = DeclarationReader(locator: FieldLocator(source: resolved.source), location: declaration.location)
        let fields = try reader.table(declaration.value, path: [])
        try fields.only(["description", "topic", "map"])
        guard case .function(let topic) = declaration.value["topic"] else {
            throw reader.error(["topic"], "a webhook mapping needs topic = function(payload) ... end")
        }
        guard case .table(let table) = declaration.value["map"] else {
            throw reader.error(["map"], "a webhook mapping needs map = { TOPIC = function(payload, delivery) ... end, ... }")
        }
        var functions: [String: LuaFunction] = [:]
        for (key, value) in table {
            guard case .function(let function) = value else { throw reader.error(["map", key], "expected a function(payload, delivery)") }
            functions[key] = function
        }
        self.topic = topic
        map = functions
        description = try fields.string("description", required: false) ?? name
        seal = Seal(
            declared: "hook \(name)", script: Seal.SealedFile(path: resolved.chunkName, text: resolved.source),
            plugins: sandbox.loadedModules.map { Seal.SealedFile(path: $0.chunkName, text: $0.source) }
        ).hash
    }

    /// A delivery's topic (`JOB_CLOSED`, `job.completed`), as the plugin's `topic` reads it.
    func topic(of payload: LuaValue) throws(ScriptError) -> String {
        let named = try sandbox.call(topic, [payload])
        guard let topic = named.stringValue, !topic.isEmpty else {
            throw ScriptError(kind: .runtime, message: "topic() gave \(named.typeName), not the delivery's topic")
        }
        return topic
    }

    /// Whether the mapping reads deliveries of `topic`; others are kept and counted.
    func knows(_ topic: String) -> Bool { map[topic] != nil }

    /// The event tables of a delivery of a known topic (to validate); `delivery` is its id and time.
    func events(of payload: LuaValue, topic: String, delivery: LuaValue) throws(ScriptError) -> [LuaValue] {
        guard let function = map[topic] else { return [] }
        let result = try sandbox.call(function, [payload, delivery])
        switch result {
        case .nil: return []
        case .array(let events): return events
        case .table(let fields) where fields.isEmpty: return []
        default: return [result]
        }
    }
}

@available(*, unavailable)
extension HookMapping: Sendable {}

extension LuaValue {
    /// A JSON document as Lua sees it: objects as tables, arrays as lists, null as nil.
    init(json: AnyJSON) {
        switch json {
        case .null: self = .nil
        case .bool(let flag): self = .boolean(flag)
        case .number(let number):
            self = number.rounded() == number && abs(number) < 9e15 ? .integer(Int64(number)) : .number(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .array(items.map(LuaValue.init(json:)))
        case .object(let fields): self = .table(fields.compactMapValues { $0 == .null ? nil : LuaValue(json: $0) })
        }
    }
}
