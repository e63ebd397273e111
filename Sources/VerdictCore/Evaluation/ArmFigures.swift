import Dispatch
import Synchronization
import VerdictStore

/// Which events of a KPI's event name count, by status.
enum StatusMatch {
    /// The KPI's own status filter, if it has one.
    case kpi
    /// Every status.
    case any
    /// Statuses that start with `error` (`error`, `error:timeout`).
    case errors
}

/// Where the built-in KPIs get their per-arm figures: an arm's events, narrowed by a KPI's filters.
///
/// A KPI's version_flag filter applies only to arms not already defined by a flag (an A/B arm
/// is its flag).
protocol ArmFigures {
    /// How many events named `event` the arm has.
    func count(_ arm: Arm, event: String, filter: KPI.Filter, status: StatusMatch) throws -> Int
    /// The moments of a measure over the arm's events named `event` that have it.
    func moments(_ arm: Arm, event: String, filter: KPI.Filter, of measure: KPI.Measure) throws -> Moments
    /// Per customer: how many have a `from` event, and how many of them also a `to` event.
    func conversion(_ arm: Arm, from: String, to: String, filter: KPI.Filter) throws -> (trials: Int, successes: Int)
}

/// Figures by one SQL query each: for KPIs that filter on props, which the window's tallies do not carry.
struct QueriedFigures: ArmFigures {
    let store: EventStore

    func scoped(_ arm: Arm, event: String?, filter kpi: KPI.Filter, status: StatusMatch) -> EventFilter {
        var filter = arm.filter
        filter.event = event
        switch status {
        case .kpi: filter.status = kpi.status
        case .any: filter.status = nil
        case .errors: filter.statusPrefix = "error"
        }
        if let cohort = kpi.cohort { filter.cohort = cohort }
        if let flag = kpi.versionFlag, filter.versionFlag == nil { filter.versionFlag = flag }
        filter.props = kpi.props
        return filter
    }

    func count(_ arm: Arm, event: String, filter: KPI.Filter, status: StatusMatch) throws -> Int {
        try store.count(scoped(arm, event: event, filter: filter, status: status))
    }

    func moments(_ arm: Arm, event: String, filter: KPI.Filter, of measure: KPI.Measure) throws -> Moments {
        try store.moments(measure == .value ? .value : .latencyMs, scoped(arm, event: event, filter: filter, status: .kpi))
    }

    func conversion(_ arm: Arm, from: String, to: String, filter: KPI.Filter) throws -> (trials: Int, successes: Int) {
        try store.convertedUsers(
            from: from, to: to, scoped(arm, event: nil, filter: filter, status: .kpi), period: arm.period, exposedThrough: arm.exposedThrough)
    }
}

/// Every figure of both arms of a window from two reads of the per-change index: tallies per
/// (day, event, flag, cohort, status), and one bitmask per customer of the events the window's
/// conversions look for. However many KPIs a report has, it reads its events twice.
struct WindowFigures: ArmFigures {
    private let arms: [String]
    private var tallies: [[EventTally]]
    private var customers: [[UInt64]]
    /// With `byDay`: per arm, each day's customers (by days from `firstDay`), for `day(_:)`.
    private var customersByDay: [[Int64: [UInt64]]] = []
    private var firstDay: Int32 = 0
    private let conditions: [EventCondition]
    /// Whether the arms are flag variants (A/B).
    private let flagged: Bool

    /// - Parameter kpis: the KPIs to be evaluated, for the events their conversions look for.
    /// - Parameter byDay: also keep each day's customers apart, so that `day(_:)` can give each
    ///   day's figures from this same read (the arms must be one range of days, as in an A/B
    ///   design). The window's own figures are unchanged.
    init(store: EventStore, control: Arm, treatment: Arm, kpis: [KPI], byDay: Bool = false) throws {
        arms = [control.name, treatment.name]
        flagged = control.filter.versionFlag != nil
        var conditions: [EventCondition] = []
        for kpi in kpis where kpi.filter.props.isEmpty {
            guard case .conversion(let from, let to) = kpi.kind else { continue }
            for event in [from, to] {
                let condition = Self.condition(event, kpi.filter, flagged: flagged)
                if !conditions.contains(condition) && conditions.count < 64 { conditions.append(condition) }
            }
        }
        self.conditions = conditions
        let (window, armLabels) = Self.scan(control.filter, treatment.filter, kpis: kpis)
        var measures: Set<MeasureColumn> = []
        for kpi in kpis {
            if case .mean(_, let of) = kpi.kind { measures.insert(of == .value ? .value : .latencyMs) }
        }
        // The two reads go to two of the store's reader connections at once, one per core.
        let days: (start: Int32, length: Int32)? = byDay ? (window.fromDay ?? 0, 1) : nil
        precondition(!byDay || (control.period == nil && control.filter.days.isEmpty && treatment.filter.days.isEmpty))
        let read = Self.concurrently(
            { [measures] () throws(StoreError) in try store.tallies(window, arms: armLabels, measures: measures) },
            { [conditions, period = days ?? control.period] () throws(StoreError) in
                try store.customerFactsByPeriod(window, arms: armLabels, conditions: conditions, period: period, whole: byDay)
            })
        let all = try read.0.get()
        tallies = [all.filter { $0.arm == 0 }, all.filter { $0.arm == 1 }]
        let (periods, whole) = try read.1.get()
        if let days {
            // The window's customers, each once, and each day's apart.
            customers = whole ?? []
            customersByDay = periods
            firstDay = days.start
        } else {
            customers = periods.map { $0.values.reduce([]) { $0 + $1 } }
        }
    }

    /// The figures of one day of a window read `byDay`: what a window of that day alone gives.
    func day(_ day: Int32) -> WindowFigures {
        precondition(!customersByDay.isEmpty || tallies.allSatisfy(\.isEmpty), "day(_:) needs a window read byDay")
        var slice = self
        slice.tallies = tallies.map { $0.filter { $0.day == day } }
        slice.customers = customersByDay.isEmpty ? [[], []] : customersByDay.map { $0[Int64(day - firstDay)] ?? [] }
        slice.customersByDay = []
        return slice
    }

    private static func concurrently<A: Sendable, B: Sendable>(
        _ a: @Sendable () throws(StoreError) -> A, _ b: @Sendable () throws(StoreError) -> B
    ) -> (Result<A, StoreError>, Result<B, StoreError>) {
        let first = Mutex<Result<A, StoreError>?>(nil)
        let second = Mutex<Result<B, StoreError>?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            if index == 0 {
                let result = Result { () throws(StoreError) in try a() }
                first.withLock { $0 = result }
            } else {
                let result = Result { () throws(StoreError) in try b() }
                second.withLock { $0 = result }
            }
        }
        return (first.withLock { $0! }, second.withLock { $0! })
    }

    /// One filter that covers both arms, and the arms' own conditions (flag, days) to label events.
    private static func scan(_ a: EventFilter, _ b: EventFilter, kpis: [KPI]) -> (EventFilter, [EventFilter]) {
        precondition(a.changeID == b.changeID && a.cohorts == b.cohorts, "arms of one window share change and cohorts")
        var scan = EventFilter(changeID: a.changeID, fromDay: min(a.fromDay, b.fromDay), toDay: max(a.toDay, b.toDay))
        scan.cohorts = a.cohorts
        if a.versionFlag == b.versionFlag { scan.versionFlag = a.versionFlag }
        if scan.changeID == nil {
            // Arms of every change (before/after): only the KPIs' events of those days, rather
            // than every event. (No sample ratio is computed here.)
            scan.events = Array(Set(kpis.flatMap(\.builtInEvents))).sorted()
            if scan.events.isEmpty { scan.events = [""] }
        }
        // An arm's label needs only what sets it apart within the scan.
        func label(_ arm: EventFilter) -> EventFilter {
            var label = EventFilter(versionFlag: scan.versionFlag == nil ? arm.versionFlag : nil)
            if arm.fromDay != scan.fromDay { label.fromDay = arm.fromDay }
            if arm.toDay != scan.toDay { label.toDay = arm.toDay }
            label.days = arm.days
            return label
        }
        return (scan, [label(a), label(b)])
    }

    private static func min(_ a: Int32?, _ b: Int32?) -> Int32? { a.flatMap { a in b.map { Swift.min(a, $0) } } }
    private static func max(_ a: Int32?, _ b: Int32?) -> Int32? { a.flatMap { a in b.map { Swift.max(a, $0) } } }

    private static func condition(_ event: String, _ filter: KPI.Filter, flagged: Bool) -> EventCondition {
        EventCondition(event: event, status: filter.status, cohort: filter.cohort, versionFlag: flagged ? nil : filter.versionFlag)
    }

    /// Whether the window's figures answer this KPI: not when it filters on props, nor for a
    /// conversion beyond the 32 the customer masks hold.
    func covers(_ kpi: KPI) -> Bool {
        guard kpi.filter.props.isEmpty, kpi.outcomeLagDays == 0 else { return false }
        guard case .conversion(let from, let to) = kpi.kind else { return true }
        return [from, to].allSatisfy { conditions.contains(Self.condition($0, kpi.filter, flagged: flagged)) }
    }

    private func index(_ arm: Arm) -> Int { arm.name == arms[0] ? 0 : 1 }

    private func matching(_ arm: Arm, event: String, filter: KPI.Filter, status: StatusMatch) -> [EventTally] {
        tallies[index(arm)].filter { tally in
            guard tally.event == event else { return false }
            switch status {
            case .kpi: if let wanted = filter.status, tally.status != wanted { return false }
            case .any: break
            case .errors: guard tally.status?.hasPrefix("error") == true else { return false }
            }
            if let cohort = filter.cohort, tally.cohort != cohort { return false }
            if let flag = filter.versionFlag, arm.filter.versionFlag == nil, tally.versionFlag != flag { return false }
            return true
        }
    }

    func count(_ arm: Arm, event: String, filter: KPI.Filter, status: StatusMatch) throws -> Int {
        matching(arm, event: event, filter: filter, status: status).reduce(0) { $0 + $1.count }
    }

    func moments(_ arm: Arm, event: String, filter: KPI.Filter, of measure: KPI.Measure) throws -> Moments {
        matching(arm, event: event, filter: filter, status: .kpi).reduce(into: Moments()) {
            $0 += measure == .value ? $1.value : $1.latency
        }
    }

    func conversion(_ arm: Arm, from: String, to: String, filter: KPI.Filter) throws -> (trials: Int, successes: Int) {
        guard let started = conditions.firstIndex(of: Self.condition(from, filter, flagged: flagged)),
            let converted = conditions.firstIndex(of: Self.condition(to, filter, flagged: flagged))
        else {
            preconditionFailure("conversion \(from) → \(to) was not among the window's KPIs")
        }
        let fromBit = UInt64(1) << started, toBit = UInt64(1) << converted
        var trials = 0, successes = 0
        for mask in customers[index(arm)] where mask & fromBit != 0 {
            trials += 1
            if mask & toBit != 0 { successes += 1 }
        }
        return (trials, successes)
    }

    /// Distinct customers among all the arm's events.
    func customerCount(_ arm: Arm) -> Int { customers[index(arm)].count }

    /// All the arm's events.
    func eventCount(_ arm: Arm) -> Int { tallies[index(arm)].reduce(0) { $0 + $1.count } }
}
