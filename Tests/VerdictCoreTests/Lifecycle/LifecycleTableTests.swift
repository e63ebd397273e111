import Foundation
import Testing
import VerdictTestSupport
@testable import VerdictCore

/// The transition table itself: every pair of states, what leads from one to the other, and
/// what the table promises as a whole (a rollback path from every served state, nothing after a
/// rollback). `TransitionTests` drives the same moves through the lifecycle on a real store.
@Suite struct LifecycleTableTests {
    /// What leads from each state to each other, written out by hand (not from the table).
    static let expected: [String: [LifecycleAction]] = {
        var moves: [String: [LifecycleAction]] = ["drafted started": [.start]]
        for live in ["started", "running", "throttled", "scaled", "extended"] {
            moves["\(live) throttled", default: []] += [.throttle, .safetyThrottle]
            moves["\(live) rolled_back"] = [.flagOff, .safetyRollback, .rollback]
            moves["\(live) evaluated"] = [.verdict]
            moves["\(live) kept"] = [.keep]
            moves["\(live) extended", default: []] += [.extend]
            moves["\(live) \(live == "started" ? "started" : "running")", default: []] += [.flagOn]
            moves["\(live) scaled", default: []] += [.scale]
        }
        moves["started running"] = [.windowOpens]
        moves["evaluated kept"] = [.keep]
        moves["evaluated rolled_back"] = [.rollback]
        moves["evaluated extended"] = [.extend]
        moves["kept kept"] = [.safetyThrottle, .scale]
        moves["kept reversed"] = [.safetyRollback, .rollback, .flagOff]
        moves["kept ended"] = [.watchEnds]
        moves["ended reversed"] = [.rollback, .flagOff]
        return moves
    }()

    @Test(arguments: ExperimentState.allCases)
    func everyPairOfStates(_ from: ExperimentState) {
        for to in ExperimentState.allCases {
            let actions = LifecycleTable.transitions.filter { $0.from == from && $0.to == to }.map(\.action)
            #expect(Set(actions) == Set(Self.expected["\(from.rawValue) \(to.rawValue)"] ?? []), "\(from) → \(to)")
        }
    }

    @Test func oneMovePerStateAndAction() {
        for state in ExperimentState.allCases {
            for action in LifecycleAction.allCases {
                #expect(LifecycleTable.transitions.filter { $0.from == state && $0.action == action }.count <= 1, "\(state) \(action)")
            }
        }
    }

    @Test func whatEachMoveDoesToTheFlag() {
        for move in LifecycleTable.transitions {
            let effect: FlagEffect =
                switch move.action {
                case .start, .flagOn, .scale: move.from == .kept ? .keep : .split
                case .throttle, .safetyThrottle: .throttle
                case .flagOff, .safetyRollback, .rollback: .off
                case .keep: .keep
                case .windowOpens, .verdict, .extend, .watchEnds: .unchanged
                }
            #expect(move.flag == effect, "\(move.from) \(move.action)")
        }
    }

    @Test func everyStateIsReachedAndEveryServedOneCanBeRolledBack() {
        var reached: Set<ExperimentState> = [.drafted]
        var frontier: [ExperimentState] = [.drafted]
        while let state = frontier.popLast() {
            for move in LifecycleTable.transitions where move.from == state && !reached.contains(move.to) {
                reached.insert(move.to)
                frontier.append(move.to)
            }
        }
        #expect(reached == Set(ExperimentState.allCases))
        // Rollback at any time: from every state whose flag serves the change, by hand.
        for state in ExperimentState.allCases where state.isLive || state.isServedAfterDecision || state == .evaluated {
            let rollback = LifecycleTable.transition(from: state, .rollback)
            #expect(rollback?.flag == .off && [.rolledBack, .reversed].contains(rollback?.to), "\(state)")
        }
        // After a rollback nothing moves: trying again is a new experiment.
        for state in [ExperimentState.rolledBack, .reversed] {
            #expect(!LifecycleTable.transitions.contains { $0.from == state })
            #expect(LifecycleTable.allowedByHand(from: state, flagThrottled: false).isEmpty)
        }
    }

    @Test func refusalsNameTheStateAndWhatCanBeDone() {
        #expect(throws: LifecycleError.refused(changeID: "CHG-0001", state: .evaluated, action: .throttle, allowed: [.keep, .rollback, .extend])) {
            try LifecycleTable.require(.throttle, from: .evaluated, changeID: "CHG-0001")
        }
        let refusal = LifecycleError.refused(changeID: "CHG-0001", state: .kept, action: .keep, allowed: [.rollback, .flagOff])
        #expect(
            refusal.description
                == "CHG-0001 is kept: decide keep does not apply to it. What can be done now: verdict decide CHG-0001 rollback --note WHY, verdict flag CHG-0001 off --note WHY.")
        #expect(LifecycleTable.allowedByHand(from: .kept, flagThrottled: true).contains(.scale))
        #expect(!LifecycleTable.allowedByHand(from: .kept, flagThrottled: false).contains(.scale))
    }

    @Test func unknownStoredStatesAreErrors() throws {
        #expect(throws: LifecycleError.unknownState("paused")) { try ExperimentState(stored: "paused") }
        #expect(try ExperimentState(stored: "rolled_back") == .rolledBack)
    }

    /// docs/lifecycle.md shows the diagram made from the table, exactly.
    @Test func theDocumentedDiagramIsTheTables() throws {
        let page = try String(contentsOf: Repository.file("docs/lifecycle.md"), encoding: .utf8)
        #expect(page.contains("```mermaid\n\(LifecycleTable.diagram())\n```"), "docs/lifecycle.md:\n\(LifecycleTable.diagram())")
    }
}
