import Foundation
import Testing
import VerdictStore
import VerdictTestSupport
@testable import VerdictCore

/// Every state transition of DESIGN.md §7 and every refusal, as one table: an experiment
/// started on 2 November (window 2–8 Nov, flag at 50%) is brought to a state by `setup`, then
/// `step` either moves it to the expected state and flag, with the expected records appended to
/// the audit trail, or is refused with the expected words and changes nothing.
@Suite struct TransitionTests {
    /// One action, on a day inside the window (the 5th) or after it (the 9th).
    indirect enum Step: Sendable, CustomStringConvertible {
        case throttle(Double), flagOn, flagOff, flagOffNoted(String), evaluate
        case decide(Lifecycle.Decision, early: Bool = false, note: String? = nil)
        case after(Step)
        case then(Step, Step)

        var description: String {
            switch self {
            case .throttle(let share): "throttle \(share)"
            case .flagOn: "flag on"
            case .flagOff: "flag off"
            case .flagOffNoted: "flag off --note"
            case .evaluate: "evaluate"
            case .decide(let decision, let early, _): "decide \(decision.rawValue)\(early ? " --early" : "")"
            case .after(let step): "\(step) after the window"
            case .then(let first, let second): "\(first), \(second)"
            }
        }
    }

    enum Expected: Sendable {
        /// The experiment's state, its flag's state and share, and the actions appended to the trail.
        case moves(to: String, flag: FlagState, share: Double, records: [String])
        case refused(String)
    }

    struct Row: Sendable, CustomStringConvertible {
        var setup: Step?
        var step: Step
        var expected: Expected
        var description: String { "\(setup.map { "\($0): " } ?? "running: ")\(step)" }
    }

    static let inWindow = FixedClock(iso8601: "2026-11-05T09:00:00-06:00")!
    static let afterWindow = FixedClock(iso8601: "2026-11-09T07:00:00-06:00")!

    static let throttled = Step.throttle(0.1)
    static let evaluated = Step.after(.evaluate)
    static let throttledEvaluated = Step.then(throttled, evaluated)
    static let kept = Step.then(evaluated, .after(.decide(.keep)))
    static let rolledBack = Step.flagOff

    static let rows: [Row] = [
        // running → throttled → running, by hand and by `scale`
        Row(step: .throttle(0.1), expected: .moves(to: "throttled", flag: .throttled, share: 0.1, records: ["flag"])),
        Row(setup: throttled, step: .flagOn, expected: .moves(to: "running", flag: .on, share: 0.5, records: ["flag"])),
        Row(setup: throttled, step: .decide(.scale), expected: .moves(to: "scaled", flag: .on, share: 0.5, records: ["decision"])),
        // rolled back early: by the flag, or by an early decision
        Row(step: .flagOff, expected: .moves(to: "rolled_back", flag: .off, share: 0, records: ["flag"])),
        Row(setup: throttled, step: .flagOff, expected: .moves(to: "rolled_back", flag: .off, share: 0, records: ["flag"])),
        Row(
            step: .decide(.rollback, early: true, note: "customers confused"),
            expected: .moves(to: "rolled_back", flag: .off, share: 0, records: ["decision"])),
        Row(
            step: .decide(.keep, early: true, note: "clear already"),
            expected: .moves(to: "kept", flag: .kept, share: 1, records: ["decision"])),
        // → evaluated, once the window has ended
        Row(step: .after(.evaluate), expected: .moves(to: "evaluated", flag: .on, share: 0.5, records: ["verdict"])),
        Row(setup: throttled, step: .after(.evaluate), expected: .moves(to: "evaluated", flag: .throttled, share: 0.1, records: ["verdict"])),
        // evaluated → decided
        Row(setup: evaluated, step: .after(.decide(.keep)), expected: .moves(to: "kept", flag: .kept, share: 1, records: ["decision"])),
        Row(setup: evaluated, step: .after(.decide(.rollback)), expected: .moves(to: "rolled_back", flag: .off, share: 0, records: ["decision"])),
        Row(setup: evaluated, step: .after(.decide(.extend)), expected: .moves(to: "extended", flag: .on, share: 0.5, records: ["decision"])),
        Row(
            setup: throttledEvaluated, step: .after(.decide(.extend)),
            expected: .moves(to: "extended", flag: .throttled, share: 0.1, records: ["decision"])),
        // a decision after the window without a verdict records the verdict first
        Row(step: .after(.decide(.keep)), expected: .moves(to: "kept", flag: .kept, share: 1, records: ["verdict", "decision"])),
        Row(
            setup: throttled, step: .after(.decide(.rollback)),
            expected: .moves(to: "rolled_back", flag: .off, share: 0, records: ["verdict", "decision"])),
        Row(step: .after(.decide(.extend)), expected: .moves(to: "extended", flag: .on, share: 0.5, records: ["verdict", "decision"])),
        // rollback at any time: a kept change rolled back is a reversal, by decision or by its flag, with a note
        Row(
            setup: kept, step: .after(.decide(.rollback, note: "callbacks doubled")),
            expected: .moves(to: "reversed", flag: .off, share: 0, records: ["decision"])),
        Row(setup: kept, step: .after(.flagOffNoted("callbacks doubled")), expected: .moves(to: "reversed", flag: .off, share: 0, records: ["decision"])),
        // refusals
        Row(step: .evaluate, expected: .refused("its verdict comes after")),
        Row(setup: evaluated, step: .after(.evaluate), expected: .refused("CHG-0007 is evaluated: the verdict does not apply to it")),
        Row(setup: kept, step: .after(.evaluate), expected: .refused("CHG-0007 is kept: the verdict does not apply to it")),
        Row(setup: kept, step: .after(.decide(.rollback)), expected: .refused("rolling back a kept change needs a --note")),
        Row(setup: kept, step: .after(.flagOff), expected: .refused("rolling back a kept change needs a --note")),
        Row(setup: kept, step: .after(.decide(.keep)), expected: .refused("is kept: decide keep does not apply to it. What can be done now: verdict decide CHG-0007 rollback --note WHY, verdict flag CHG-0007 off --note WHY.")),
        Row(
            setup: rolledBack, step: .decide(.keep, early: true, note: "changed my mind"),
            expected: .refused("is rolled back: decide keep does not apply to it. Nothing more is done to it by hand; to try the change again, start a new experiment")),
        Row(setup: .then(kept, .after(.decide(.rollback, note: "worse"))), step: .after(.flagOn), expected: .refused("is reversed: flag on does not apply")),
        Row(setup: kept, step: .after(.flagOn), expected: .refused("is kept: flag on does not apply")),
        Row(setup: rolledBack, step: .flagOn, expected: .refused("is rolled back: flag on does not apply")),
        Row(
            setup: evaluated, step: .after(.throttle(0.1)),
            expected: .refused("is evaluated: flag throttle does not apply to it. What can be done now: verdict decide CHG-0007 keep, verdict decide CHG-0007 rollback, verdict decide CHG-0007 extend")),
        Row(step: .decide(.keep), expected: .refused("decide after it, or now with --early")),
        Row(step: .decide(.keep, early: true), expected: .refused("needs a --note")),
        Row(step: .decide(.scale), expected: .refused("not throttled")),
        Row(setup: throttled, step: .after(.decide(.scale)), expected: .refused("window has ended")),
        Row(step: .throttle(0.5), expected: .refused("below the design's 50%")),
        Row(step: .throttle(0), expected: .refused("above 0")),
    ]

    @Test(arguments: rows)
    func transition(_ row: Row) throws {
        let (_, fixture) = try Self.started()
        if let setup = row.setup { try Self.run(setup, fixture) }
        let trail = try AuditTrail(workspace: fixture.workspace)
        let before = try trail.records()
        let status = try lifecycle(fixture, Self.inWindow).status(of: "CHG-0007")
        switch row.expected {
        case .moves(let state, let flag, let share, let records):
            try Self.run(row.step, fixture)
            let now = try lifecycle(fixture, Self.inWindow).status(of: "CHG-0007")
            #expect(now.state.rawValue == state)
            #expect(now.flag?.state == flag && now.flag?.share == share)
            #expect(try trail.records().dropFirst(before.count).map(\.action) == records)
            // flags.json follows the flag.
            let file = try String(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"), encoding: .utf8)
            #expect(file.contains(#""state": "\#(flag.rawValue)""#))
        case .refused(let words):
            do {
                try Self.run(row.step, fixture)
                Issue.record("\(row) was not refused")
            } catch let error as LifecycleError {
                #expect(error.description.contains(words), "\(error)")
            }
            let now = try lifecycle(fixture, Self.inWindow).status(of: "CHG-0007")
            #expect(now.state == status.state && now.flag == status.flag && now.windowEnd == status.windowEnd)
            #expect(try trail.records().count == before.count)
        }
        #expect(try trail.verify().isIntact)
    }

    /// Rolling back a kept change is recorded as a reversal naming the decision it reverses,
    /// with its note, and every surface says so.
    @Test func aReversalNamesTheDecisionItReverses() throws {
        let (_, fixture) = try Self.started()
        try Self.run(Self.kept, fixture)
        let trail = try AuditTrail(workspace: fixture.workspace)
        let keep = try #require(try trail.records().last { $0.action == "decision" })
        let later = FixedClock(iso8601: "2026-12-01T08:00:00-06:00")!
        let reversed = try lifecycle(fixture, later).decide("CHG-0007", .rollback, note: "callbacks doubled in week 4")
        #expect(reversed.status.state == .reversed && reversed.status.flag?.state == .off)
        #expect(reversed.status.next.contains("nothing: it is reversed"))
        let record = try #require(try trail.records().last)
        #expect(record.action == "decision" && record.actor == "dana")
        #expect(record.details.contains(#""reverses":{"at":"\#(keep.at)","decision":"keep","seq":\#(keep.seq)}"#), "\(record.details)")
        #expect(record.summary == "decision rollback (a reversal of record \(keep.seq): keep): callbacks doubled in week 4")
        let flags = try String(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"), encoding: .utf8)
        #expect(flags.contains(#""state": "off""#))
        // A reversed change stays reversed.
        #expect(throws: LifecycleError.refused(changeID: "CHG-0007", state: .reversed, action: .keep, allowed: [])) {
            try lifecycle(fixture, later).decide("CHG-0007", .keep)
        }
        #expect(try trail.verify().isIntact)
    }

    /// Re-keep: a rolled-back change is tried again only by a new experiment that follows it,
    /// which may take over its flag; its earlier history stays its own.
    @Test func aRolledBackChangeIsTriedAgainByOneThatFollowsIt() throws {
        let (tests, fixture) = try Self.started()
        try Self.run(Self.kept, fixture)
        func again(_ follows: String?) throws -> URL {
            let file = try tests.experiment(fixture, "book-now-again", change: "CHG-0008", flag: "book_now_button")
            let text = try String(contentsOf: file, encoding: .utf8)
            let followed = follows.map { text.replacingOccurrences(of: "  window     = days(7),", with: "  window     = days(7),\n  follows    = \"\($0)\",") } ?? text
            try followed.write(to: file, atomically: true, encoding: .utf8)
            return file
        }
        let later = FixedClock(iso8601: "2026-12-01T08:00:00-06:00")!
        let lifecycle = try lifecycle(fixture, later)
        // Kept still: it cannot be followed, nor its flag taken.
        #expect(throws: LifecycleError.cannotFollow("CHG-0008", follows: "CHG-0007", state: .kept)) {
            try lifecycle.start(try again("CHG-0007"), acceptUnderpowered: true)
        }
        #expect(throws: LifecycleError.cannotFollow("CHG-0008", follows: "CHG-0099", state: nil)) {
            try lifecycle.start(try again("CHG-0099"), acceptUnderpowered: true)
        }
        try lifecycle.decide("CHG-0007", .rollback, note: "worse in week 4")
        do {
            try lifecycle.start(try again(nil), acceptUnderpowered: true)
            Issue.record("a second change took the flag without following the first")
        } catch let error as LifecycleError {
            #expect(error.description.contains(#"or, to try CHG-0007 again once it is rolled back, declare follows = "CHG-0007""#))
        }
        let started = try lifecycle.start(try again("CHG-0007"), acceptUnderpowered: true)
        #expect(started.status.state == .started && started.status.flag?.key == "book_now_button" && started.status.flag?.state == .on)
        let record = try #require(try AuditTrail(workspace: fixture.workspace).records().last { $0.action == "start" })
        #expect(record.changeID == "CHG-0008" && record.details.contains(#""follows":"CHG-0007""#))
        // The flag serves the new change; the old one's history (its rollback) stays its own.
        let flags = try String(contentsOf: fixture.workspace.root.appendingPathComponent("flags.json"), encoding: .utf8)
        #expect(flags.contains(#""change_id": "CHG-0008""#) && !flags.contains(#""change_id": "CHG-0007""#))
        let timeline = try fixture.store.startedChanges()
        #expect(timeline.first { $0.changeID == "CHG-0007" }?.flagChanges.map(\.state) == ["on", "kept", "off"])
        #expect(timeline.first { $0.changeID == "CHG-0008" }?.flagChanges.map(\.state) == ["on"])
        #expect(try lifecycle.status(of: "CHG-0007").state == .reversed)
        #expect(try AuditTrail(workspace: fixture.workspace).verify().isIntact)
    }

    /// CHG-0007 (the conversion template, flag book_now_button) started on 2 November, 50%.
    static func started() throws -> (StartTests, IngestFixture) {
        let tests = StartTests()
        let fixture = try tests.setUp()
        let wentLive = ISO8601DateFormatter().date(from: "2026-11-02T13:00:00Z")!
        try tests.lifecycle(fixture).start(
            try tests.experiment(fixture, "book-now", change: "CHG-0007", flag: "book_now_button"), at: wentLive, acceptUnderpowered: true)
        return (tests, fixture)
    }

    func lifecycle(_ fixture: IngestFixture, _ clock: FixedClock) throws -> Lifecycle {
        try Lifecycle(workspace: fixture.workspace, clock: clock, actor: "dana")
    }

    static func run(_ step: Step, _ fixture: IngestFixture, clock: FixedClock = inWindow) throws {
        let lifecycle = try Lifecycle(workspace: fixture.workspace, clock: clock, actor: "dana")
        switch step {
        case .throttle(let share): try lifecycle.setFlag("CHG-0007", .throttle(share))
        case .flagOn: try lifecycle.setFlag("CHG-0007", .on)
        case .flagOff: try lifecycle.setFlag("CHG-0007", .off)
        case .flagOffNoted(let note): try lifecycle.setFlag("CHG-0007", .off, note: note)
        case .evaluate: try lifecycle.evaluate("CHG-0007")
        case .decide(let decision, let early, let note): try lifecycle.decide("CHG-0007", decision, note: note, early: early)
        case .after(let inner): try run(inner, fixture, clock: afterWindow)
        case .then(let first, let second):
            try run(first, fixture, clock: clock)
            try run(second, fixture, clock: clock)
        }
    }
}
