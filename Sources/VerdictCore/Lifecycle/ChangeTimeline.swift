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
    /// The customers on the lists handed out (`verdict assign`), for intention to treat.
    var lists = AssignmentBook([])

    /// The change live for `cohort` (nil: none given) at `timestamp`, on local day `day`.
    func change(at timestamp: Int64, day: Int32, cohort: String?) -> String? {
        spans.first { span in
            timestamp >= span.from && day <= span.lastDay && span.until.map { timestamp < $0 } != false
                && (span.cohorts.isEmpty || cohort.map(span.cohorts.contains) == true)
        }?.changeID
    }

    /// Gives an event that named no change the change live for it (for its cohort, or for the
    /// customer by a list handed out), or `none`; then an event of a change that carries no flag
    /// the variant its customer's list gave (intention to treat, docs/lifecycle.md).
    func stamp(_ event: inout Event) {
        if event.changeSource != .event {
            let arrived = event
            if let changeID = change(at: event.timestamp, day: event.day, cohort: event.userCohort)
                ?? spans.first(where: { span in covers(span, arrived) && arrived.userID.map { lists.has($0, in: span.changeID) } == true })?
                .changeID
            {
                event.changeID = changeID
                event.changeSource = .timeline
            } else {
                event.changeID = "none"
                event.changeSource = .none
            }
        }
        if event.versionFlag == nil, event.changeID != "none", let user = event.userID,
            let variant = lists.variant(of: user, in: event.changeID, day: event.day)
        {
            event.versionFlag = variant
            event.flagFromList = true
        }
    }

    /// Whether `span` covers the event's time, whatever its cohort.
    private func covers(_ span: Span, _ event: Event) -> Bool {
        event.timestamp >= span.from && event.day <= span.lastDay && span.until.map { event.timestamp < $0 } != false
    }

    /// The timeline of these started changes, and the customers of the lists handed out.
    init(_ started: [StartedChangeRow], lists: [AssignedCustomer] = []) {
        self.lists = AssignmentBook(lists)
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
        let timeline = ChangeTimeline(try writer.startedChanges(), lists: try writer.assignedCustomers())
        writer.stamp = { timeline.stamp(&$0) }
    }

    /// The batches of one group share a transaction, so they share its timeline too: read by
    /// the first batch written, reused by the others.
    final class Shared {
        private var timeline: ChangeTimeline?

        func stampEvents(of writer: BatchWriter) throws {
            let timeline = try self.timeline ?? ChangeTimeline(try writer.startedChanges(), lists: try writer.assignedCustomers())
            self.timeline = timeline
            writer.stamp = { timeline.stamp(&$0) }
        }
    }
}

/// The customers of the lists handed out, by change and customer, in the order the lists were
/// made: which variant a listed customer's event gets. The rule is the store's
/// (`EventStore.listedVariant`): the latest list made on or before the event's day, else the
/// earliest after it; of one day's lists, the last.
struct AssignmentBook: Sendable {
    private var entries: [String: [String: [(day: Int32, variant: String)]]] = [:]

    init(_ customers: [AssignedCustomer]) {
        for customer in customers { entries[customer.changeID, default: [:]][customer.userID, default: []].append((customer.day, customer.variant)) }
    }

    func has(_ user: String, in change: String) -> Bool { entries[change]?[user] != nil }

    func variant(of user: String, in change: String, day: Int32) -> String? {
        guard let lists = entries[change]?[user] else { return nil }
        var before: (day: Int32, variant: String)?
        var after: (day: Int32, variant: String)?
        for list in lists {
            if list.day <= day {
                if before == nil || list.day >= before!.day { before = list }
            } else if after == nil || list.day <= after!.day {
                after = list
            }
        }
        return (before ?? after)?.variant
    }
}
