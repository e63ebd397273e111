import Foundation
import VerdictScript
import VerdictStats
import VerdictStore

/// What `verdict forecast` says about an experiment before it starts: from the history in the
/// store, whether its window can decide its rule.
public struct Forecast: Sendable {
    /// The history read: local days, inclusive.
    public var from: LocalDay
    public var to: LocalDay
    /// Per KPI: what the history shows and what the window will bring.
    public var kpis: [KPIForecast]
    /// How many days of history the figures are per day over: the days asked for, or fewer when
    /// the store's events for these customers begin later.
    public var days: Int
    /// The days of history asked for (`--baseline-days`).
    public var requestedDays: Int
    /// One plain sentence: can the window decide the rule, and what to change if not.
    public var conclusion: String
    /// Said when the history is shorter than asked for.
    public var note: String? {
        guard days < requestedDays else { return nil }
        return "only \(days) day\(days == 1 ? "" : "s") of history (from \(from)) of the \(requestedDays) asked for: the figures are per day over those"
    }

    /// The forecast for `declaration` (loaded in `sandbox`, for custom KPIs) from the
    /// `baselineDays` days of the workspace's store before `today`.
    public static func make(
        _ declaration: ExperimentDeclaration, sandbox: LuaSandbox?, workspace: Workspace, today: LocalDay, baselineDays: Int
    ) throws -> Forecast {
        let evaluator = Evaluator(store: try workspace.openStore(), declaration: declaration, settings: workspace.settings, sandbox: sandbox)
        return try evaluator.forecast(today: today, baselineDays: baselineDays)
    }
}

/// A forecast as `verdict forecast --json` prints it.
public struct ForecastDocument: Encodable, Sendable {
    public var forecast: Forecast
    public var declaration: ExperimentDeclaration

    public init(_ forecast: Forecast, declaration: ExperimentDeclaration) {
        self.forecast = forecast
        self.declaration = declaration
    }

    enum CodingKeys: String, CodingKey {
        case history, conclusion, kpis, note
        case changeID = "change_id", windowDays = "window_days"
    }

    enum HistoryKeys: String, CodingKey {
        case from, to, days
        case requestedDays = "requested_days"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(declaration.changeID, forKey: .changeID)
        var history = c.nestedContainer(keyedBy: HistoryKeys.self, forKey: .history)
        try history.encode(forecast.from.description, forKey: .from)
        try history.encode(forecast.to.description, forKey: .to)
        try history.encode(forecast.days, forKey: .days)
        try history.encode(forecast.requestedDays, forKey: .requestedDays)
        try c.encode(declaration.windowDays, forKey: .windowDays)
        try c.encode(forecast.conclusion, forKey: .conclusion)
        try c.encode(forecast.note, forKey: .note)
        try c.encode(forecast.kpis, forKey: .kpis)
    }
}

/// One KPI's forecast.
public struct KPIForecast: Sendable, Encodable {
    public var role: KPIResult.Role
    public var name: String
    /// Units per day in the history: trials for a rate of customers, the denominator's events for a
    /// rate per event (appointments, for no-shows per appointment), events for counts,
    /// observations for means.
    public var perDay: Double
    /// The baseline level: a rate (per customer, or per denominator event), events per day, or a mean.
    public var baseline: Double?
    /// The spread: the standard deviation of a mean's values, or of daily counts.
    public var spread: Double?
    /// The sample each arm gets over the window.
    public var perArm: Double
    /// The smallest relative change the window can detect at the declared alpha and power.
    public var minimumDetectableEffect: Double?
    /// Days needed for the rule's threshold, and for the expected lift (nil: not computable).
    public var daysForThreshold: Double?
    public var daysForExpectedLift: Double?

    enum CodingKeys: String, CodingKey {
        case role, name, baseline, spread
        case perDay = "per_day", perArm = "per_arm", minimumDetectableEffect = "mde", daysForThreshold = "days_for_rule"
        case daysForExpectedLift = "days_for_expected_lift"
    }

    /// Numbers that cannot be computed (or are infinite) are null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role.rawValue, forKey: .role)
        try c.encode(name, forKey: .name)
        try c.encode(ReportDocument.Number(perDay), forKey: .perDay)
        try c.encode(ReportDocument.Number(baseline), forKey: .baseline)
        try c.encode(ReportDocument.Number(spread), forKey: .spread)
        try c.encode(ReportDocument.Number(perArm), forKey: .perArm)
        try c.encode(ReportDocument.Number(minimumDetectableEffect), forKey: .minimumDetectableEffect)
        try c.encode(ReportDocument.Number(daysForThreshold), forKey: .daysForThreshold)
        try c.encode(ReportDocument.Number(daysForExpectedLift), forKey: .daysForExpectedLift)
    }
}

extension Evaluator {
    /// The forecast from the `baselineDays` days before `today`.
    public func forecast(today: LocalDay, baselineDays: Int) throws -> Forecast {
        var from = LocalDay(number: today.number - Int32(baselineDays))
        let to = LocalDay(number: today.number - 1)
        var filter = EventFilter(fromDay: from.number, toDay: to.number)
        filter.cohorts = declaration.cohorts
        // Per day over the days that have history: a store whose events begin a week ago has a
        // week of history, not 28 days of which 21 are empty.
        if let first = try store.countEvents(filter, groupedBy: [.day]).first?.keys.first, case .day(let day) = first, day > from.number {
            from = LocalDay(number: day)
            filter.fromDay = day
        }
        let requestedDays = baselineDays
        let baselineDays = Int(to.number - from.number) + 1
        // The share of traffic the smaller arm gets, and how the window's days divide.
        let armShare: Double
        switch declaration.design {
        case .ab(_, _, _, let split): armShare = min(split, 1 - split)
        case .beforeAfter: armShare = 1
        case .switchback: armShare = 0.5
        }
        let windowDays = Double(declaration.windowDays)
        var kpis = [try forecast(declaration.primary, role: .primary, filter, days: baselineDays, armShare: armShare, windowDays: windowDays)]
        kpis.append(try forecast(declaration.leading, role: .leading, filter, days: baselineDays, armShare: armShare, windowDays: windowDays))
        for guardrail in declaration.guardrails {
            kpis.append(try forecast(guardrail, role: .guardrail, filter, days: baselineDays, armShare: armShare, windowDays: windowDays))
        }
        return Forecast(
            from: from, to: to, kpis: kpis, days: baselineDays, requestedDays: requestedDays,
            conclusion: conclusion(kpis[0], baselineDays: baselineDays))
    }

    private func forecast(_ kpi: KPI, role: KPIResult.Role, _ base: EventFilter, days: Int, armShare: Double, windowDays: Double) throws -> KPIForecast {
        func scoped(_ event: String?) -> EventFilter {
            var filter = base
            filter.event = event
            filter.status = kpi.filter.status
            filter.props = kpi.filter.props
            if let cohort = kpi.filter.cohort { filter.cohort = cohort }
            return filter
        }
        let threshold = liftThreshold(kpi.rule)
        var result = KPIForecast(role: role, name: kpi.name, perDay: 0, perArm: 0)
        // Proportions: baseline rate and trials per day.
        func proportion(successes: Int, trials: Int) {
            result.perDay = Double(trials) / Double(days)
            result.perArm = result.perDay * windowDays * armShare
            guard trials > 0 else { return }
            let p0 = Double(successes) / Double(trials)
            result.baseline = p0
            guard p0 > 0, p0 < 1 else { return }
            result.minimumDetectableEffect = kpi.better == .lower
                ? Power.minimumDetectableDrop(baseline: p0, perArm: max(1, result.perArm), alpha: alpha, power: power)
                : Power.minimumDetectableLift(baseline: p0, perArm: max(1, result.perArm), alpha: alpha, power: power)
            let daysFor = { (lift: Double) -> Double in
                Power.sampleSizePerArm(baseline: p0, relativeLift: kpi.better == .lower ? -lift : lift, alpha: alpha, power: power)
                    / max(result.perDay * armShare, 1e-9)
            }
            result.daysForThreshold = threshold.map(daysFor)
            result.daysForExpectedLift = declaration.expectedLift.map(daysFor)
        }
        switch kpi.kind {
        case .conversion(let from, let to):
            let users = try store.convertedUsers(from: from, to: to, scoped(nil))
            if users.trials > 0 {
                proportion(successes: users.successes, trials: users.trials)
            } else {
                let trials = try store.count(scoped(from))
                proportion(successes: min(try store.count(scoped(to)), trials), trials: trials)
            }
        case .errorRate(let event):
            var errors = scoped(event)
            errors.status = nil
            errors.statusPrefix = "error"
            proportion(successes: try store.count(errors), trials: try store.count({ var f = scoped(event); f.status = nil; return f }()))
        case .mean(let event, let of), .quantile(let event, let of, _):
            let sample = try store.moments(of == .value ? .value : .latencyMs, scoped(event))
            let (mean, variance) = sample.meanAndVariance
            let moments = (n: sample.n, mean: mean, variance: variance)
            result.perDay = Double(moments.n) / Double(days)
            result.perArm = result.perDay * windowDays * armShare
            if moments.n > 1, moments.mean != 0, moments.variance > 0 {
                let sd = moments.variance.squareRoot()
                result.baseline = moments.mean
                result.spread = sd
                result.minimumDetectableEffect = Self.directed(
                    Power.tTestMinimumDetectableEffect(perArm: max(1, result.perArm), alpha: alpha, power: power) * sd / abs(moments.mean), kpi)
                let daysFor = { (lift: Double) -> Double in
                    Power.tTestSampleSizePerArm(effectSize: lift * abs(moments.mean) / sd, alpha: alpha, power: power) / max(result.perDay * armShare, 1e-9)
                }
                result.daysForThreshold = threshold.map(daysFor)
                result.daysForExpectedLift = declaration.expectedLift.map(daysFor)
            }
        case .rate(let numerator, let denominator):
            // A rate per event (no-shows per appointment): the sample is the denominator's
            // events, and the rate's events among them are what a comparison counts.
            let appointments = try store.count(scoped(denominator))
            let events = try store.count(scoped(numerator))
            result.perDay = Double(appointments) / Double(days)
            result.perArm = result.perDay * windowDays * armShare
            guard appointments > 0 else { break }
            let rate = Double(events) / Double(appointments)
            result.baseline = rate
            let expected = rate * result.perArm  // the rate's events in an arm over the window
            if expected > 0 {
                // Two Poisson counts over their arms' appointments: the normal approximation to
                // the log rate ratio, as for counts, in the rate's events.
                let z = Normal.quantile(1 - alpha / 2) + Normal.quantile(power)
                result.minimumDetectableEffect = Self.directed(z * (2 / expected).squareRoot(), kpi)
                let daysFor = { (lift: Double) -> Double in
                    let change = kpi.better == .lower ? -lift : lift
                    guard change > -1 else { return .infinity }
                    return (z * z * (1 + 1 / (1 + change)) / (change * change)) / max(rate * result.perDay * armShare, 1e-9)
                }
                result.daysForThreshold = threshold.map(daysFor)
                result.daysForExpectedLift = declaration.expectedLift.map(daysFor)
            }
        case .count(let event), .dailyCount(let event):
            let counts = try store.countEvents(scoped(event), groupedBy: [.day]).map(\.count)
            let total = counts.reduce(0, +)
            result.perDay = Double(total) / Double(days)
            result.baseline = result.perDay
            let daily = counts + Array(repeating: 0, count: max(0, days - counts.count))
            let mean = result.perDay
            if days > 1 { result.spread = (daily.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(days - 1)).squareRoot() }
            result.perArm = result.perDay * windowDays * armShare
            if result.perArm > 0 {
                // Counts: the normal approximation to two Poisson counts of about perArm each.
                let z = Normal.quantile(1 - alpha / 2) + Normal.quantile(power)
                result.minimumDetectableEffect = Self.directed(z * (2 / result.perArm).squareRoot(), kpi)
                let daysFor = { (lift: Double) -> Double in
                    (z * z * (1 + 1 / (1 + lift)) / (lift * lift)) / max(result.perDay * armShare, 1e-9)
                }
                result.daysForThreshold = threshold.map(daysFor)
                result.daysForExpectedLift = declaration.expectedLift.map(daysFor)
            }
        case .custom:
            break  // a custom KPI's sample cannot be known before it runs
        }
        return result
    }

    /// A relative minimum detectable change in the KPI's better direction: a drop can be at most
    /// the whole baseline, so one that would need more cannot be detected at all (infinite).
    static func directed(_ change: Double, _ kpi: KPI) -> Double {
        kpi.better == .lower && change >= 1 ? .infinity : change
    }

    private func conclusion(_ primary: KPIForecast, baselineDays: Int) -> String {
        let window = declaration.windowDays
        guard primary.perDay > 0 else {
            return "There is no history for \(primary.name) in the last \(baselineDays) days, so Verdict cannot say whether \(window) days can decide the rule: ingest past events, or start and check `verdict report` after a few days."
        }
        if let mde = primary.minimumDetectableEffect, !mde.isFinite {
            let needs = primary.daysForThreshold.map { "; the rule's threshold needs about \(Int($0.rounded(.up))) days" } ?? ""
            return "\(window) days cannot decide this rule: they bring about \(Int(primary.perArm.rounded())) per arm for \(primary.name), too few to detect any change in it\(needs); run for longer, send more traffic to the change, or test a bolder change."
        }
        guard let days = primary.daysForThreshold, let mde = primary.minimumDetectableEffect else {
            return "\(window) days bring about \(Int(primary.perArm.rounded())) per arm for \(primary.name); the rule has no lift threshold, so the window's power to decide it cannot be forecast (the smallest detectable change is \(primary.minimumDetectableEffect.map { Verdict.percent($0) } ?? "unknown"))."
        }
        let perArm = Int(primary.perArm.rounded())
        if days <= Double(window) {
            return "\(window) days can decide this rule: they bring about \(perArm) per arm for \(primary.name), enough to detect a change of \(Verdict.percent(mde)) (the rule's threshold needs about \(Int(days.rounded(.up))) days)."
        }
        return "\(window) days cannot decide this rule: they bring about \(perArm) per arm for \(primary.name), enough to detect \(Verdict.percent(mde)) but not the rule's threshold, which needs about \(Int(days.rounded(.up))) days; run for longer, send more traffic to the change, or test a bolder change."
    }
}
