import Foundation

/// One flag evaluated for one visitor, as OFREP answers it (open-feature/protocol
/// `service/openapi.yaml`): the variant always, a valid OpenFeature reason, the value, and flat
/// metadata naming the change, its seal and the flag's state. Computed here, once, for the
/// server and any other surface.
public struct FlagEvaluation: Sendable, Equatable, Encodable {
    public var key: String
    /// The variant served: the flag spec's control or treatment name.
    public var variant: String
    /// STATIC (kept for everyone), SPLIT (bucketed into the share), TARGETING_MATCH (a
    /// switchback's day), DEFAULT (outside the cohorts it targets), DISABLED (off or rolled back).
    public var reason: String
    /// `true`/`false` for variants named on/off (or true/false), else the variant's name.
    public var value: Value
    /// change_id, seal, state (the change's: running, throttled, evaluated, kept, rolled_back),
    /// flag (its state: on, throttled, off, kept, rolled_back) and share: flat values, as the
    /// protocol requires.
    public var metadata: [String: Metadata]

    public enum Value: Sendable, Equatable, Encodable {
        case bool(Bool), string(String)

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .bool(let b): try c.encode(b)
            case .string(let s): try c.encode(s)
            }
        }
    }

    public enum Metadata: Sendable, Equatable, Encodable {
        case string(String), number(Double)

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .number(let n): try c.encode(n)
            }
        }
    }

    /// The flag's answer for `targetingKey` (nil: no key, served as if outside the split), in
    /// `cohort`, on local day `day`: `FlagStatus.assign`'s answer.
    public init(_ flag: FlagStatus, changeState: String?, targetingKey: String?, cohort: String?, day: LocalDay) {
        key = flag.key
        let assignment = flag.assign(targetingKey, cohort: cohort, day: day)
        variant = assignment.variant
        reason = assignment.reason
        switch variant.lowercased() {
        case "on", "true": value = .bool(true)
        case "off", "false": value = .bool(false)
        default: value = .string(variant)
        }
        metadata = [
            "change_id": .string(flag.changeID), "seal": .string(flag.seal), "state": .string(changeState ?? flag.state.rawValue),
            "flag": .string(flag.state.rawValue), "share": .number(flag.share),
        ]
    }
}
