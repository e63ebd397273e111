import Foundation
import VerdictStats
import VerdictStore

/// How fast customers feel a change, and how fast it recovers when something goes wrong (issue
/// 24, items 11 and 12; docs/report-json.md's `timeline`).
///
/// - Time to first exposure: the hours from the start to the first treatment event that carries
///   the change.
/// - Time to impact: the hours from the start to the first morning check that sees the leading
///   indicator differ from control in the expected direction on the day it checks (its 95%
///   interval of the difference entirely on the better side): the end of that local day.
/// - Incidents: each adverse signal (a safety breach in the first days, a breach while watched
///   after keeping, a rollback decision), from its detection to its recovery: the flag change in
///   effect and, for a throttle, the next check back within its limits. The time to recover is
///   the mean over the incidents recovered.
public struct Timeline: Encodable, Sendable, Equatable {
    public var timeToFirstExposureHours: Double?
    public var timeToImpactHours: Double?
    public var incidents: [Incident]
    public var timeToRecoverHours: Double?

    public struct Incident: Encodable, Sendable, Equatable {
        /// `safety_breach`, `watch_breach` or `rollback`.
        public var kind: String
        /// UTC.
        public var detectedAt: String
        /// UTC; nil while not recovered.
        public var recoveredAt: String?
        public var hours: Double?
        /// Epoch milliseconds, for the workspace's mean over a period.
        var detected: Int64

        enum CodingKeys: String, CodingKey {
            case kind, hours
            case detectedAt = "detected_at", recoveredAt = "recovered_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case incidents
        case timeToFirstExposureHours = "time_to_first_exposure_hours", timeToImpactHours = "time_to_impact_hours"
        case timeToRecoverHours = "time_to_recover_hours"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timeToFirstExposureHours, forKey: .timeToFirstExposureHours)
        try c.encode(timeToImpactHours, forKey: .timeToImpactHours)
        try c.encode(incidents, forKey: .incidents)
        try c.encode(timeToRecoverHours, forKey: .timeToRecoverHours)
    }

    /// In an owner's words.
    public var sentence: String {
        let hours = { (h: Double) in h < 48 ? "\(FigureText.number(h, digits: 1, trimmed: true)) hours" : "\(FigureText.number(h / 24, digits: 1, trimmed: true)) days" }
        var parts = [
            timeToFirstExposureHours.map { "first customer reached \(hours($0)) after the start" } ?? "no customer has met the change yet",
            timeToImpactHours.map { "customers felt it (the leading indicator moved the right way) \(hours($0)) after the start" }
                ?? "no felt impact on the leading indicator yet",
        ]
        if !incidents.isEmpty {
            let open = incidents.filter { $0.hours == nil }.count
            parts.append(
                "\(incidents.count) incident\(incidents.count == 1 ? "" : "s")"
                    + (timeToRecoverHours.map { ", recovered in \(hours($0)) on average" } ?? "")
                    + (open > 0 ? ", \(open) not recovered yet" : ""))
        }
        return parts.joined(separator: "; ")
    }
}

extension Lifecycle {
    /// The timeline of a started change, as of now.
    public func timeline(of changeID: String) throws -> Timeline? {
        guard let row = try store.experiments().last(where: { $0.changeID == changeID }),
            let sealed = try sealedExperiment(changeID: changeID)
        else { return nil }
        let declaration = sealed.declaration
        let hour = 3_600_000.0
        // First exposure: the first event of the change in the treatment after the start.
        var filter = EventFilter(changeID: changeID, fromDay: row.startDay)
        if case .ab(_, _, let treatment, _) = declaration.design { filter.versionFlag = treatment }
        let first = try store.earliest(filter, notBefore: row.startedAt)
        // Impact: the leading indicator day by day, as each morning's check shows it, from one
        // read of the days since the start; the first day whose difference is on the better side.
        var impact: Double?
        let evaluator = Evaluator(
            store: store, declaration: declaration, settings: workspace.settings, sandbox: declaration.hasCustomKPIs ? sealed.sandbox : nil)
        let lastDay = min(today.number - 1, row.endDay)
        if lastDay >= row.startDay {
            let days = try evaluator.daily(
                declaration.leading, role: .leading, from: LocalDay(number: row.startDay), to: LocalDay(number: lastDay))
            for (day, leading) in days {
                guard let difference = leading.difference, difference.low.isFinite, difference.high.isFinite else { continue }
                if leading.kpi.better == .lower ? difference.high < 0 : difference.low > 0 {
                    impact = Double(endOfDay(day.number) - row.startedAt) / hour
                    break
                }
            }
        }
        let incidents = try incidents(row: row)
        let recovered = incidents.compactMap(\.hours)
        return Timeline(
            timeToFirstExposureHours: first.map { Double($0 - row.startedAt) / hour }, timeToImpactHours: impact, incidents: incidents,
            timeToRecoverHours: recovered.isEmpty ? nil : recovered.reduce(0, +) / Double(recovered.count))
    }

    /// The workspace's mean time to recover over the incidents detected in the last `days` days,
    /// and how many there were.
    public func meanTimeToRecover(days: Int = 90) throws -> (hours: Double?, incidents: Int, open: Int) {
        let since = clock.nowMilliseconds() - Int64(days) * 86_400_000
        var all: [Timeline.Incident] = []
        for row in try store.experiments() { all += try incidents(row: row).filter { $0.detected >= since } }
        let recovered = all.compactMap(\.hours)
        return (recovered.isEmpty ? nil : recovered.reduce(0, +) / Double(recovered.count), all.count, all.count - recovered.count)
    }

    /// The adverse signals of a change, each with its recovery when it came.
    func incidents(row: ExperimentRow) throws -> [Timeline.Incident] {
        let flag = try store.flags().first { $0.changeID == row.changeID }?.key
        let changes = try flag.map { try store.flagChanges($0) } ?? []
        let checks = try store.safetyChecks(changeID: row.changeID).sorted { $0.checkedAt < $1.checkedAt }
        var incidents: [Timeline.Incident] = []
        func add(_ kind: String, at detected: Int64, recovered: Int64?) {
            let hours = recovered.map { Double(max(0, $0 - detected)) / 3_600_000 }
            incidents.append(
                Timeline.Incident(kind: kind, detectedAt: utcTime(detected), recoveredAt: recovered.map(utcTime), hours: hours, detected: detected))
        }
        for check in checks where check.outcome == "breach" {
            // Recovered when the flag is off (a rollback, then or later), or, after the throttle
            // it made, at the next check back within its limits; whichever comes first.
            let detected = check.checkedAt
            let action = changes.first { $0.at >= detected - 1000 }
            let off = changes.first { $0.at >= detected - 1000 && $0.state == FlagState.off.rawValue }?.at
            let calm = action.flatMap { action in
                checks.first { $0.checkedAt > detected && $0.outcome == "ok" }.map { max($0.checkedAt, action.at) }
            }
            add(check.hour >= 1000 ? "watch_breach" : "safety_breach", at: detected, recovered: [off, calm].compactMap { $0 }.min())
        }
        for decision in try store.decisions(changeID: row.changeID) where decision.decision == "rollback" {
            let off = changes.first { $0.at >= decision.at - 1000 && $0.state == FlagState.off.rawValue }
            add("rollback", at: decision.at, recovered: off?.at)
        }
        return incidents.sorted { $0.detected < $1.detected }
    }

    /// The instant (epoch ms) local day `day` ends in the workspace's time zone.
    func endOfDay(_ day: Int32) -> Int64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = workspace.timeZone
        let next = LocalDay(number: day + 1).description.split(separator: "-").compactMap { Int($0) }
        guard let date = calendar.date(from: DateComponents(year: next[0], month: next[1], day: next[2])) else {
            return (Int64(day) + 1) * 86_400_000  // UTC midnight, should the calendar refuse the date
        }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
