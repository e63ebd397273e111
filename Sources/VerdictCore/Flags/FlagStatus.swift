import Foundation
import VerdictStore

/// What a change's flag serves: its variants, who it targets and how arms are formed.
public struct FlagSpec: Codable, Sendable, Equatable {
    /// The variant names of control and treatment (`off`, `on`).
    public var control: String
    public var treatment: String
    /// The cohorts the change applies to; empty for everyone.
    public var cohorts: [String]
    /// `ab`, `switchback` or `before_after`.
    public var design: String
    /// The treatment's share the design asks for.
    public var split: Double
    /// A switchback's day-schedule seed.
    public var scheduleSeed: Int64?

    enum CodingKeys: String, CodingKey {
        case control, treatment, cohorts, design, split
        case scheduleSeed = "schedule_seed"
    }

    /// The spec of `declaration`'s design, and the flag's key.
    static func of(_ declaration: ExperimentDeclaration) -> (key: String, spec: FlagSpec) {
        switch declaration.design {
        case .ab(let flag, let control, let treatment, let split):
            (flag, FlagSpec(control: control, treatment: treatment, cohorts: declaration.cohorts, design: "ab", split: split))
        case .switchback(let flag, let control, let treatment, let seed):
            (flag, FlagSpec(control: control, treatment: treatment, cohorts: declaration.cohorts, design: "switchback", split: 0.5, scheduleSeed: seed))
        case .beforeAfter:
            // No flag is declared: the change itself is the switch, on for everyone it targets.
            (declaration.changeID, FlagSpec(control: "off", treatment: "on", cohorts: declaration.cohorts, design: "before_after", split: 1))
        }
    }
}

/// A flag's state: off, on at a share, throttled to a share, rolled back, or kept for everyone.
public enum FlagState: String, Codable, Sendable, CaseIterable {
    case off, on, throttled
    case rolledBack = "rolled_back"
    case kept
}

/// A flag as the surfaces show it, and as `flags.json` and OFREP serve it.
public struct FlagStatus: Encodable, Sendable, Equatable {
    public var key: String
    public var changeID: String
    public var seal: String
    public var state: FlagState
    /// The treatment's share of the targeted traffic now (a switchback's days decide instead).
    public var share: Double
    public var spec: FlagSpec
    /// When it last changed, UTC.
    public var updatedAt: String

    /// Which arm a customer or visitor is in, and why: the one answer OFREP, `flags.json`'s
    /// rule, `verdict assign` and the snippet give.
    public struct Assignment: Sendable, Equatable {
        /// `control` or `treatment`.
        public var arm: String
        /// The variant served: the spec's control or treatment name.
        public var variant: String
        /// As OpenFeature names it: STATIC (kept for everyone), SPLIT (bucketed into the share),
        /// TARGETING_MATCH (a switchback's day), DEFAULT (outside the cohorts it targets, or no
        /// key to bucket), DISABLED (off or rolled back).
        public var reason: String
    }

    /// The arm `targetingKey` gets now, in `cohort` (nil: unknown), on local day `day`: the
    /// bucketing of docs/flags.md, the cohort targeting, throttles, rollbacks and a
    /// switchback's schedule. Without a key a visitor cannot be bucketed the same way twice, so
    /// it gets the control.
    public func assign(_ targetingKey: String?, cohort: String?, day: LocalDay) -> Assignment {
        let control = Assignment(arm: "control", variant: spec.control, reason: "DEFAULT")
        let treatment = Assignment(arm: "treatment", variant: spec.treatment, reason: "SPLIT")
        if state == .off || state == .rolledBack { return Assignment(arm: "control", variant: spec.control, reason: "DISABLED") }
        if !spec.cohorts.isEmpty, !(cohort.map(spec.cohorts.contains) ?? false) { return control }
        if state == .kept { return Assignment(arm: "treatment", variant: spec.treatment, reason: "STATIC") }
        if let seed = spec.scheduleSeed {
            let on = Evaluator.switchbackIsTreatment(day: day.number, seed: seed)
            return Assignment(arm: on ? "treatment" : "control", variant: on ? spec.treatment : spec.control, reason: "TARGETING_MATCH")
        }
        guard let targetingKey, !targetingKey.isEmpty else { return control }
        let bucket = FlagBucketing.bucket(targetingKey, seed: changeID)
        if FlagBucketing.isTreatment(bucket: bucket, share: share) { return treatment }
        return Assignment(arm: "control", variant: spec.control, reason: "SPLIT")
    }

    /// The variant `targetingKey` gets now (`assign`'s).
    public func variant(for targetingKey: String, cohort: String?, day: LocalDay) -> String {
        assign(targetingKey, cohort: cohort, day: day).variant
    }

    /// The flag as stored, with its change's seal; a spec that cannot be read is an error
    /// naming the flag, never a made-up split.
    init(_ row: FlagRow, seal: String) throws {
        key = row.key
        changeID = row.changeID
        self.seal = seal
        guard let state = FlagState(rawValue: row.state) else {
            throw LifecycleError.unreadable("the flag \(row.key) is stored in a state this version does not know: \"\(row.state)\"")
        }
        self.state = state
        share = row.share
        do {
            spec = try JSONDecoder().decode(FlagSpec.self, from: Data(row.spec.utf8))
        } catch {
            throw LifecycleError.unreadable("the flag \(row.key)'s stored spec cannot be read: \(error)")
        }
        updatedAt = utcTime(row.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case key, seal, state, share, variants, cohorts, design, split, schedule
        case changeID = "change_id", updatedAt = "updated_at"
    }

    /// docs/flags.md's format: the spec's fields beside the state.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(changeID, forKey: .changeID)
        try c.encode(seal, forKey: .seal)
        try c.encode(state, forKey: .state)
        try c.encode(share, forKey: .share)
        try c.encode(["control": spec.control, "treatment": spec.treatment], forKey: .variants)
        try c.encode(spec.cohorts, forKey: .cohorts)
        try c.encode(spec.design, forKey: .design)
        try c.encode(spec.split, forKey: .split)
        try c.encode(spec.scheduleSeed.map { ["seed": $0] }, forKey: .schedule)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `flags.json` in the workspace: every flag, for a static website to read as it is. Written
/// whole to a temporary file and renamed over the old one, so a reader never sees half of it.
public enum FlagsFile {
    public static let name = "flags.json"

    struct Document: Encodable {
        var generatedAt: String
        var flags: [String: FlagStatus]

        enum CodingKeys: String, CodingKey {
            case flags
            case generatedAt = "generated_at"
        }
    }

    /// Writes `flags` to the workspace's `flags.json` atomically; returns its URL.
    @discardableResult
    public static func write(_ flags: [FlagStatus], in workspace: Workspace, at time: Int64) throws -> URL {
        let text = try JSONOutput.encode(
            Document(generatedAt: utcTime(time), flags: Dictionary(uniqueKeysWithValues: flags.map { ($0.key, $0) }))) + "\n"
        let data = Data(text.utf8)
        let target = workspace.root.appendingPathComponent(name)
        let temporary = workspace.stateFolder.appendingPathComponent("flags.json.\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WorkspaceError.cannotWrite(name, at: target, error)
        }
        guard rename(temporary.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WorkspaceError.io("cannot write \(name): \(reason)")
        }
        return target
    }
}
