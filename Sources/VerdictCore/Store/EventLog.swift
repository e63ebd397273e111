import Foundation
import VerdictStore

/// The workspace's stored events, batches and quarantine, as the surfaces (CLI, dashboard,
/// server) read and change them: Core's own values in and out, so nothing above Core depends on
/// how the store keeps them.
public final class EventLog: Sendable {
    let store: EventStore
    /// Local days and times are in this time zone (the workspace's).
    public let timeZone: TimeZone

    /// Opens the workspace's store, creating it on first use.
    public init(workspace: Workspace) throws {
        store = try workspace.openStore()
        timeZone = workspace.timeZone
    }

    // MARK: events

    /// Event counts matching `query`, grouped by `groups` (none: one total), ordered by the groups.
    public func counts(_ query: EventQuery, by groups: [EventGrouping]) throws -> [EventGroupCount] {
        try store.countEvents(query.filter, groupedBy: groups.map(\.storeGrouping)).map { count in
            EventGroupCount(
                groups: zip(groups, count.keys).map { grouping, key in
                    switch key {
                    case .day(let number): (grouping, LocalDay(number: number).description)
                    case .text(let text): (grouping, text)
                    }
                }, count: count.count)
        }
    }

    /// The events matching `query`, oldest first, at most `limit`.
    public func events(_ query: EventQuery, limit: Int) throws -> [EventRecord] {
        try store.events(query.filter, limit: limit).map { EventRecord($0, timeZone: timeZone) }
    }

    /// Every event name ever stored, sorted.
    public func eventNames() throws -> [String] {
        try store.eventNames()
    }

    // MARK: batches

    /// Every batch, oldest first.
    public func batches() throws -> [IngestBatch] {
        try store.batches().map(IngestBatch.init)
    }

    /// Removes batch `id` in one transaction with its record on the audit trail: its events
    /// deleted, the batch kept as history.
    public func removeBatch(_ id: Int64, at time: Int64, actor: String) throws -> BatchRemoval {
        BatchRemoval(
            try store.removeBatch(id, at: time) { removed in
                AuditTrail.maker(
                    at: time, changeID: "", actor: actor, action: "batch-remove",
                    details: BatchRemoval(removed))
            })
    }

    // MARK: quarantine

    /// Quarantined rows, oldest batch first; without `all`, only those still to fix.
    public func quarantine(batch: Int64? = nil, source: String? = nil, all: Bool = false, limit: Int? = nil) throws
        -> [QuarantineItem]
    {
        try store.quarantine(batch: batch, source: source, all: all, limit: limit).map(QuarantineItem.init)
    }

    /// Drops the quarantined row of `source` that starts at `line` (of `batch`, when rows of
    /// several batches are there), in one transaction with its `quarantine-drop` record on the
    /// audit trail: the batch stays, with its events and its other rows.
    public func dropQuarantined(source: String, line: Int, batch: Int64?, at time: Int64, actor: String) throws -> QuarantineDrop {
        var drop: QuarantineDrop?
        _ = try store.dropQuarantined(source: source, line: line, batch: batch) { entries in
            let made = QuarantineDrop(entries)
            drop = made
            return AuditTrail.maker(at: time, changeID: "", actor: actor, action: "quarantine-drop", details: made)
        }
        return drop!
    }

    /// The same rows as a file that ingests again (see `QuarantineExport`).
    public func quarantineFile(batch: Int64? = nil, source: String? = nil, all: Bool = false, limit: Int? = nil) throws
        -> String
    {
        try QuarantineExport.raw(try store.quarantine(batch: batch, source: source, all: all, limit: limit))
    }
}

/// Which events to count or list; nil means any.
public struct EventQuery: Sendable, Equatable {
    public var change: String?
    public var event: String?
    public var cohort: String?
    public var flag: String?
    public var status: String?
    /// From this local day, inclusive.
    public var from: LocalDay?
    /// To this local day, inclusive.
    public var to: LocalDay?

    /// A query; nil means any.
    public init(
        change: String? = nil, event: String? = nil, cohort: String? = nil, flag: String? = nil, status: String? = nil,
        from: LocalDay? = nil, to: LocalDay? = nil
    ) {
        self.change = change
        self.event = event
        self.cohort = cohort
        self.flag = flag
        self.status = status
        self.from = from
        self.to = to
    }

    var filter: EventFilter {
        EventFilter(
            changeID: change, event: event, cohort: cohort, versionFlag: flag, status: status, fromDay: from?.number,
            toDay: to?.number)
    }
}

/// What event counts can be grouped by.
public enum EventGrouping: String, Sendable, CaseIterable, Codable {
    case day, event, cohort, flag, status, change
    /// Where each event's change_id came from: `event`, `timeline` (stamped) or `none`.
    case source

    var storeGrouping: VerdictStore.EventGrouping {
        switch self {
        case .source: .source
        case .day: .day
        case .event: .event
        case .cohort: .cohort
        case .flag: .flag
        case .status: .status
        case .change: .change
        }
    }
}

/// The number of events in one group: each grouping's value (nil where the events had none).
public struct EventGroupCount: Sendable, Equatable, Encodable {
    public var groups: [(grouping: EventGrouping, value: String?)]
    public var count: Int

    public static func == (a: EventGroupCount, b: EventGroupCount) -> Bool {
        a.count == b.count && a.groups.map(\.grouping) == b.groups.map(\.grouping) && a.groups.map(\.value) == b.groups.map(\.value)
    }

    /// `{"day": "2026-11-02", "flag": null, "events": 12}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        for (grouping, value) in groups { try container.encode(value, forKey: AnyKey(grouping.rawValue)) }
        try container.encode(count, forKey: AnyKey("events"))
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
