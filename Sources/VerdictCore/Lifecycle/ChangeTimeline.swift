import Foundation
import VerdictStore

/// Which change was live when: an event that names no change_id is stamped with the change that
/// was running for its cohort at its timestamp (DESIGN.md §4), by this timeline of started
/// experiments, whenever the event arrives.
///
/// Ingest builds it inside each batch's write transaction (`BatchWriter.startedChanges()`), so a
/// start that commits before the batch is always seen; `verdict start` stamps what was stored
/// before it by the same rule (`EventStore.start`).
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

    /// Gives an event that named no change the change live for it, or `none`.
    func stamp(_ event: inout Event) {
        if let changeID = change(at: event.timestamp, day: event.day, cohort: event.userCohort) {
            event.changeID = changeID
            event.changeSource = .timeline
        } else {
            event.changeID = "none"
            event.changeSource = .none
        }
    }

    /// The timeline of these started changes.
    init(_ started: [StartedChangeRow]) {
        spans = started.map { change in
            Span(
                changeID: change.changeID,
                cohorts: Set(Lifecycle.cohorts(json: change.cohorts)),
                from: change.startedAt, lastDay: change.endDay,
                until: change.flagChanges.filter { $0.state == FlagState.off.rawValue }.map(\.at).min())
        }
        spans.sort { $0.from > $1.from }
    }

    /// Makes `writer` stamp the events of its batch by the timeline its transaction sees.
    static func stampEvents(of writer: BatchWriter) throws {
        let timeline = ChangeTimeline(try writer.startedChanges())
        writer.stamp = { timeline.stamp(&$0) }
    }

    /// The batches of one group share a transaction, so they share its timeline too: read by
    /// the first batch written, reused by the others.
    final class Shared {
        private var timeline: ChangeTimeline?

        func stampEvents(of writer: BatchWriter) throws {
            let timeline = try self.timeline ?? ChangeTimeline(try writer.startedChanges())
            self.timeline = timeline
            writer.stamp = { timeline.stamp(&$0) }
        }
    }
}
