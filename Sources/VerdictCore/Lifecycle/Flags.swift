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

    /// The variant `targetingKey` gets now, in `cohort` (nil: unknown), on local day `day`: the
    /// bucketing of docs/flags.md, the cohort targeting, and a switchback's schedule.
    public func variant(for targetingKey: String, cohort: String?, day: LocalDay) -> String {
        guard state != .off, state != .rolledBack else { return spec.control }
        if !spec.cohorts.isEmpty, !(cohort.map(spec.cohorts.contains) ?? false) { return spec.control }
        if state == .kept { return spec.treatment }
        if let seed = spec.scheduleSeed {
            return Evaluator.switchbackIsTreatment(day: day.number, seed: seed) ? spec.treatment : spec.control
        }
        return FlagBucketing.isTreatment(bucket: FlagBucketing.bucket(targetingKey, seed: changeID), share: share)
            ? spec.treatment : spec.control
    }

    init(_ row: FlagRow, seal: String) {
        key = row.key
        changeID = row.changeID
        self.seal = seal
        state = FlagState(rawValue: row.state) ?? .off
        share = row.share
        spec = (try? JSONDecoder().decode(FlagSpec.self, from: Data(row.spec.utf8)))
            ?? FlagSpec(control: "off", treatment: "on", cohorts: [], design: "ab", split: 0.5)
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
