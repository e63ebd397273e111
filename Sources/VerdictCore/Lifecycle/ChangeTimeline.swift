import Foundation
import VerdictStore

/// Which change was live when: an event that names no change_id is stamped with the change that
/// was running for its cohort at its timestamp (DESIGN.md §4), by this timeline of started
/// experiments, whenever the event arrives.
struct ChangeTimeline: Sendable {
    struct Span: Sendable {
        var changeID: String
        /// Empty: everyone.
        var cohorts: Set<String>
        /// From this instant (epoch ms, the start) through this local day (the window's last)...
        var from: Int64
        var lastDay: Int32
        /// ...unless the flag was turned off earlier (a rollback).
        var until: Int64?
    }

    /// Latest start first: of two spans that both cover an event, the later start wins.
    var spans: [Span] = []

    /// The change live for `cohort` (nil: none given) at `timestamp`, on local day `day`.
    func change(at timestamp: Int64, day: Int32, cohort: String?) -> String? {
        spans.first { span in
            timestamp >= span.from && day <= span.lastDay && span.until.map { timestamp < $0 } != false
                && (span.cohorts.isEmpty || cohort.map(span.cohorts.contains) == true)
        }?.changeID
    }

    /// The timeline of the experiments started in `store`.
    static func load(_ store: EventStore) throws -> ChangeTimeline {
        let flags = try store.flags()
        var timeline = ChangeTimeline()
        for experiment in try store.experiments() {
            let off = try flags.filter { $0.changeID == experiment.changeID }
                .flatMap { try store.flagChanges($0.key) }
                .filter { $0.state == FlagState.off.rawValue }.map(\.at).min()
            timeline.spans.append(
                Span(
                    changeID: experiment.changeID, cohorts: Set(Lifecycle.cohorts(of: experiment)), from: experiment.startedAt,
                    lastDay: experiment.endDay, until: off))
        }
        timeline.spans.sort { $0.from > $1.from }
        return timeline
    }
}
