import Foundation

/// Where a change stands (DESIGN.md §7): the one type every surface shows and every state change
/// goes through. The store keeps the raw value and never decides one; `LifecycleTable` below is
/// the whole list of what may follow what.
public enum ExperimentState: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// A script in `experiments/`, not started (never stored).
    case drafted
    /// Sealed, its flag serving, and its window's first day not over yet.
    case started
    /// Inside its window (or waiting for its verdict), the flag at the design's split.
    case running
    /// Its flag serves the treatment to a smaller share than the design's split.
    case throttled
    /// Its verdict is recorded; it awaits the owner's decision.
    case evaluated
    /// Kept by the owner: the treatment for everyone it targets, watched for a while after.
    case kept
    /// Brought back up from a throttle to the design's split by the owner's decision.
    case scaled
    /// Given one more window by the owner's decision, under the same seal.
    case extended
    /// Rolled back before or at its decision: the flag serves the control.
    case rolledBack = "rolled_back"
    /// Rolled back after it was kept: a reversal of the earlier decision.
    case reversed
    /// Kept, and its watch after the decision is over: served for good, no longer watched.
    case ended

    /// The state as a stored row gives it; an unknown value is an error naming it.
    public init(stored: String) throws {
        guard let state = ExperimentState(rawValue: stored) else { throw LifecycleError.unknownState(stored) }
        self = state
    }

    public var description: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// An experiment in progress: its window open or its verdict still to come. `daily` checks
    /// these, `run-all` gives them their verdict, and they count for overlapping cohorts.
    public var isLive: Bool { [.started, .running, .throttled, .scaled, .extended].contains(self) }

    /// Decided and still served: kept, and watched by `daily` until its watch ends.
    public var isServedAfterDecision: Bool { self == .kept || self == .ended }
}

/// What moves a change from one state to another: the owner's commands, `daily`'s safety
/// checks and `run-all`'s verdicts, and the clock.
public enum LifecycleAction: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    /// `verdict start`.
    case start
    /// The window's first day is over (the clock).
    case windowOpens = "window_opens"
    /// `verdict flag CHG throttle SHARE`.
    case throttle
    /// `verdict flag CHG on`: back to the design's split.
    case flagOn = "flag_on"
    /// `verdict flag CHG off`.
    case flagOff = "flag_off"
    /// A first breach of a safety limit (`daily`), in the first days or while kept and watched.
    case safetyThrottle = "safety_throttle"
    /// A further breach (`daily`).
    case safetyRollback = "safety_rollback"
    /// The window has ended and its verdict is recorded (`run-all`, or a decision that needs it).
    case verdict
    /// `verdict decide CHG keep`.
    case keep
    /// `verdict decide CHG rollback`.
    case rollback
    /// `verdict decide CHG extend`.
    case extend
    /// `verdict decide CHG scale`: lifts a throttle back up.
    case scale
    /// A kept change's watch is over (the clock).
    case watchEnds = "watch_ends"

    public var description: String {
        switch self {
        case .start: "start"
        case .windowOpens: "the window's first day ending"
        case .throttle: "flag throttle"
        case .flagOn: "flag on"
        case .flagOff: "flag off"
        case .safetyThrottle: "a safety breach's throttle"
        case .safetyRollback: "a safety breach's rollback"
        case .verdict: "the verdict"
        case .keep: "decide keep"
        case .rollback: "decide rollback"
        case .extend: "decide extend"
        case .scale: "decide scale"
        case .watchEnds: "the watch ending"
        }
    }

    /// Whether a person takes this action (a command), rather than `daily`, `run-all` or the clock.
    public var isByHand: Bool { [.throttle, .flagOn, .flagOff, .keep, .rollback, .extend, .scale].contains(self) }
}

/// What a transition does to the change's flag.
public enum FlagEffect: String, Sendable, Equatable, CustomStringConvertible {
    /// The design's split (`on`).
    case split
    /// A smaller share (`throttled`): the one the command or the safety rule gives.
    case throttle
    /// The control for everyone (`off`).
    case off
    /// The treatment for everyone targeted (`kept`).
    case keep
    /// As it was.
    case unchanged

    public var description: String {
        switch self {
        case .split: "on at the design's split"
        case .throttle: "throttled"
        case .off: "off"
        case .keep: "kept, for everyone it targets"
        case .unchanged: "unchanged"
        }
    }
}

/// One allowed move: from a state, by an action, to a state, with what it does to the flag.
public struct Transition: Sendable, Equatable {
    public var from: ExperimentState
    public var action: LifecycleAction
    public var to: ExperimentState
    public var flag: FlagEffect
}

/// Every allowed transition, in one table. Anything not here is refused.
public enum LifecycleTable {
    /// The live states share one set of moves: the flag by hand, the safety checks, the verdict
    /// once the window ends, and an early decision.
    private static func live(_ from: ExperimentState) -> [Transition] {
        var moves: [Transition] = [
            .init(from: from, action: .throttle, to: .throttled, flag: .throttle),
            .init(from: from, action: .safetyThrottle, to: .throttled, flag: .throttle),
            .init(from: from, action: .flagOff, to: .rolledBack, flag: .off),
            .init(from: from, action: .safetyRollback, to: .rolledBack, flag: .off),
            .init(from: from, action: .verdict, to: .evaluated, flag: .unchanged),
            .init(from: from, action: .keep, to: .kept, flag: .keep),
            .init(from: from, action: .rollback, to: .rolledBack, flag: .off),
            .init(from: from, action: .extend, to: .extended, flag: .unchanged),
        ]
        // Back to the design's split: by hand, or by a decision (which needs a throttled flag).
        moves.append(.init(from: from, action: .flagOn, to: from == .started ? .started : .running, flag: .split))
        moves.append(.init(from: from, action: .scale, to: .scaled, flag: .split))
        if from == .started { moves.append(.init(from: from, action: .windowOpens, to: .running, flag: .unchanged)) }
        return moves
    }

    /// Every transition, grouped by the state it leaves.
    public static let transitions: [Transition] =
        [Transition(from: .drafted, action: .start, to: .started, flag: .split)]
        + [ExperimentState.started, .running, .throttled, .scaled, .extended].flatMap(live)
        + [
            .init(from: .evaluated, action: .keep, to: .kept, flag: .keep),
            .init(from: .evaluated, action: .rollback, to: .rolledBack, flag: .off),
            .init(from: .evaluated, action: .extend, to: .extended, flag: .unchanged),
            // Kept: watched for a while; a breach throttles, then rolls back, as in the first days.
            .init(from: .kept, action: .safetyThrottle, to: .kept, flag: .throttle),
            .init(from: .kept, action: .scale, to: .kept, flag: .keep),
            .init(from: .kept, action: .safetyRollback, to: .reversed, flag: .off),
            .init(from: .kept, action: .rollback, to: .reversed, flag: .off),
            .init(from: .kept, action: .flagOff, to: .reversed, flag: .off),
            .init(from: .kept, action: .watchEnds, to: .ended, flag: .unchanged),
            // Rollback at any time.
            .init(from: .ended, action: .rollback, to: .reversed, flag: .off),
            .init(from: .ended, action: .flagOff, to: .reversed, flag: .off),
        ]

    private static let byMove: [String: Transition] = Dictionary(
        uniqueKeysWithValues: transitions.map { ("\($0.from.rawValue) \($0.action.rawValue)", $0) })

    /// The transition `action` makes from `state`, or nil when it is not allowed.
    public static func transition(from state: ExperimentState, _ action: LifecycleAction) -> Transition? {
        byMove["\(state.rawValue) \(action.rawValue)"]
    }

    /// What a person can do to a change in `state`, in the table's order; `scale` only when its
    /// flag is throttled (the one precondition the table does not hold).
    public static func allowedByHand(from state: ExperimentState, flagThrottled: Bool) -> [LifecycleAction] {
        transitions.filter { $0.from == state && $0.action.isByHand && ($0.action != .scale || flagThrottled) }.map(\.action)
    }

    /// The transition, or the refusal naming the state and what a person can do instead.
    public static func require(
        _ action: LifecycleAction, from state: ExperimentState, changeID: String, flagThrottled: Bool = false
    ) throws -> Transition {
        guard let move = transition(from: state, action) else {
            throw LifecycleError.refused(
                changeID: changeID, state: state, action: action, allowed: allowedByHand(from: state, flagThrottled: flagThrottled))
        }
        return move
    }
}

extension LifecycleTable {
    /// The table as a Mermaid state diagram, for docs/lifecycle.md (a test keeps the page's copy
    /// equal to this): one arrow per pair of states, labelled with the actions that make it.
    public static func diagram() -> String {
        var lines = ["stateDiagram-v2", "    [*] --> drafted"]
        var pairs: [(ExperimentState, ExperimentState)] = []
        for move in transitions where !pairs.contains(where: { $0 == (move.from, move.to) }) { pairs.append((move.from, move.to)) }
        for (from, to) in pairs {
            let actions = transitions.filter { $0.from == from && $0.to == to }.map(\.action.rawValue)
            lines.append("    \(from.rawValue) --> \(to.rawValue): \(actions.joined(separator: ", "))")
        }
        for state in ExperimentState.allCases where !transitions.contains(where: { $0.from == state }) {
            lines.append("    \(state.rawValue) --> [*]")
        }
        return lines.joined(separator: "\n")
    }
}
