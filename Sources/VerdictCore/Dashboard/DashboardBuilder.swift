import Dispatch
import Foundation
import Synchronization
import VerdictScript
import VerdictStats
import VerdictStore

extension Dashboard {
    /// The event names of the direct-to-consumer impact band: the names the bundled importers
    /// give a booked appointment and a completed job (whose `value` is its revenue).
    public static let impactEvents = (booked: EventVocabulary.appointmentBooked, completed: EventVocabulary.jobCompleted)

    /// The dashboard of `workspace` as of the local day `date`, at `clock`'s time.
    ///
    /// Each started experiment is evaluated as `verdict report NAME` evaluates it (its sealed
    /// copy over its window, with its cohorts), and day by day for the primary KPI and the
    /// leading indicator; the experiments are evaluated side by side where no Lua is involved.
    public static func make(workspace: Workspace, clock: any VerdictClock, date: LocalDay) throws -> Dashboard {
        let lifecycle = try Lifecycle(workspace: workspace, clock: clock, actor: "", asOf: date)
        let store = try workspace.openStore()
        let trail = try AuditTrail(workspace: workspace)
        let statuses = try lifecycle.statuses()
        let verdicts = try store.verdicts()
        let checks = try store.safetyChecks()
        let records = Dictionary(grouping: try trail.records().filter { !$0.changeID.isEmpty }, by: \.changeID)
        var sealed: [Result<Sealed, any Error>] = []
        var sandboxes: [LuaSandbox?] = []
        for status in statuses {
            let experiment = Result { () throws -> Lifecycle.SealedExperiment in
                guard let experiment = try lifecycle.sealedExperiment(changeID: status.changeID) else {
                    throw LifecycleError.notStarted(status.changeID)
                }
                return experiment
            }
            sealed.append(experiment.map {
                Sealed(declaration: $0.declaration, from: $0.from, to: $0.to, changedFiles: $0.changedFiles)
            })
            sandboxes.append((try? experiment.get()).flatMap { $0.declaration.hasCustomKPIs ? $0.sandbox : nil })
        }
        let outcomes = Mutex([Result<Change, any Error>?](repeating: nil, count: statuses.count))
        let settings = workspace.settings, zone = workspace.timeZone, all = sealed
        @Sendable func build(_ index: Int, sandbox: LuaSandbox?) {
            let status = statuses[index]
            let result = Result { () throws -> Change in
                try change(
                    status, sealed: all[index].get(), sandbox: sandbox, store: store, settings: settings, date: date,
                    verdicts: verdicts.filter { $0.changeID == status.changeID },
                    checks: checks.filter { $0.changeID == status.changeID }, records: records[status.changeID] ?? [],
                    zone: zone)
            }
            outcomes.withLock { $0[index] = result }
        }
        // Experiments with custom KPIs run Lua in their own sandbox, one at a time; the others
        // only read the store, side by side.
        let custom = statuses.indices.filter { (try? sealed[$0].get().declaration.hasCustomKPIs) ?? true }
        let plain = statuses.indices.filter { !custom.contains($0) }
        // The week's jobs are read beside them.
        let impact = Mutex<Result<Impact, any Error>?>(nil)
        DispatchQueue.concurrentPerform(iterations: plain.count + 1) { slot in
            if slot == plain.count {
                let result = Result { () throws -> Impact in try Self.impact(store: store, date: date, statuses: statuses) }
                impact.withLock { $0 = result }
            } else {
                build(plain[slot], sandbox: nil)
            }
        }
        for index in custom { build(index, sandbox: sandboxes[index]) }

        var changes: [Change] = []
        var failures: [RunAllSummary.Failure] = []
        for (status, outcome) in zip(statuses, outcomes.withLock { $0 }) {
            switch outcome! {
            case .success(var change):
                // How fast customers felt it, and how fast it recovered (the same figures as
                // `report --json`'s timeline).
                if let timeline = try lifecycle.timeline(of: status.changeID) { change.outcomes.append("Timeline: \(timeline.sentence).") }
                changes.append(change)
            case .failure(let error): failures.append(.init(changeID: status.changeID, message: "\(error)"))
            }
        }
        changes.reverse()  // newest first
        let now = clock.now()
        return Dashboard(
            business: workspace.settings.business, date: date.description,
            refreshedAt: localTime(now, in: workspace.timeZone),
            auditHead: try trail.head()?.description,
            impact: try impact.withLock { $0! }.get(),
            changes: changes, cohorts: Array(Set(changes.flatMap(\.cohorts))).sorted(), failures: failures)
    }

    /// `2026-11-10 06:00 CST`: the refresh time as the owner reads a clock.
    static func localTime(_ instant: Date, in zone: TimeZone) -> String {
        let text = EventRecord.format(instant, in: zone)  // 2026-11-10T06:00:00-06:00
        let abbreviation = zone.abbreviation(for: instant) ?? zone.identifier
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " " + abbreviation
    }

    // MARK: - One change

    /// A started experiment's sealed declaration and window.
    struct Sealed: Sendable {
        var declaration: ExperimentDeclaration
        var from: LocalDay
        var to: LocalDay
        var changedFiles: [String]
    }

    static func change(
        _ status: ExperimentStatus, sealed: Sealed, sandbox: LuaSandbox?, store: EventStore, settings: WorkspaceSettings,
        date: LocalDay, verdicts: [VerdictRow], checks: [SafetyCheckRow], records: [AuditRecord], zone: TimeZone
    ) throws -> Change {
        let declaration = sealed.declaration
        let evaluator = Evaluator(
            store: store, declaration: declaration, settings: settings, sandbox: sandbox)
        // The report and the days from one read of the window; the days shown are those up to
        // the page's date.
        let (report, days) = try evaluator.reportWithDays(
            from: sealed.from, to: sealed.to, days: [(declaration.primary, .primary), (declaration.leading, .leading)])
        let (primaryDays, leadingDays) = (days[0].filter { $0.day <= date }, days[1].filter { $0.day <= date })
        let primary = report.kpis.first { $0.role == .primary }
        let leading = report.kpis.first { $0.role == .leading }

        let decisions = records.filter { $0.action == "decision" }.map { record in
            let details = record.detailsObject
            return DecisionSummary(
                decision: details["decision"]?.text ?? "", at: record.at, actor: record.actor, note: details["note"]?.text ?? "",
                early: details["early"] == .bool(true))
        }
        let recorded = verdicts.last
        let verdict = verdictSummary(recorded: recorded, report: report)
        let rolledBackBySafety = checks.contains { $0.action == "rollback" }
        var outcome: Outcome?
        if [.kept, .ended, .rolledBack, .reversed].contains(status.state) {
            switch recorded?.outcome {
            case "pass": outcome = .won
            case "fail": outcome = .lost
            default: outcome = rolledBackBySafety ? .lost : .inconclusive
            }
        }
        var warnings: [String] = []
        if report.hasSampleRatioMismatch, let srm = report.sampleRatioMismatch {
            warnings.append(
                "Sample ratio mismatch: the arms' sizes (\(report.sampleRatioUnits.map(String.init).joined(separator: " vs "))) "
                    + "differ from the design's split (p = \(FigureText.number(srm.pValue, digits: 4))); check the flag before trusting any figure.")
        } else if report.sampleRatioMismatch != nil, !report.sampleRatioJudged {
            warnings.append("Sample ratio not judged yet: fewer than \(ExperimentReport.sampleRatioMinimumPerArm) per arm.")
        }
        for unknown in report.unknownEvents { warnings.append(unknown.description) }
        if !sealed.changedFiles.isEmpty {
            warnings.append("Changed since it was sealed: \(sealed.changedFiles.joined(separator: ", ")); the figures use the sealed copy.")
        }
        if let recorded, recorded.outcome != report.verdict.outcome.rawValue {
            warnings.append(
                "The recorded verdict (\(recorded.outcome)) differs from the figures now (\(report.verdict.outcome.rawValue)): "
                    + "events arrived after it was recorded.")
        }
        if status.state.isLive, date.number > sealed.from.number,
            let yesterday = primaryDays.last(where: { $0.day.number == date.number - 1 })?.result,
            yesterday.control.n + yesterday.treatment.n == 0
        {
            warnings.append("No \(declaration.primary.name) events yesterday: check the export or the website's tag.")
        }

        var change = Change(
            status: status, hypothesis: declaration.hypothesis, design: declaration.designText, rule: declaration.ruleText,
            limits: declaration.limitTexts, cohorts: declaration.cohorts,
            chip: chip(status, verdict: recorded, report: report, rolledBackBySafety: rolledBackBySafety),
            outcome: outcome, figures: figureSets(report, cohorts: declaration.cohorts),
            primary: primary.map { series($0, days: primaryDays) }, leading: leading.map { series($0, days: leadingDays) },
            guardrails: report.kpis.filter { $0.role == .guardrail }.map { guardrail($0, holds: report.verdict.ruleHolds[$0.kpi.name]) },
            timeline: timeline(status, declaration: declaration, checks: checks, records: records, zone: zone),
            warnings: warnings, verdict: verdict, decisions: decisions,
            audit: records.map { AuditLine(seq: $0.seq, at: $0.at, actor: $0.actor, action: $0.action, summary: $0.summary, hash: $0.hash) })
        if let value = report.value { change.outcomes.insert("Value: \(value.sentence).", at: 0) }
        change.choices = DecisionChoices(
            state: status.state, flagThrottled: status.flag?.state == .throttled, date: date,
            windowEnd: LocalDay(status.windowEnd) ?? date)
        return change
    }

    /// The chip: the state first, then what the verdict and the recommendation or decision say.
    static func chip(_ status: ExperimentStatus, verdict: VerdictRow?, report: ExperimentReport, rolledBackBySafety: Bool) -> Chip {
        let outcomeTone: (String) -> Chip.Tone = { ["pass": .pass, "fail": .fail][$0] ?? .inconclusive }
        switch status.state {
        case .drafted, .started, .running, .scaled, .extended:
            return Chip(tone: .running, label: "\(status.state) day \(status.day) of \(status.windowDays)", detail: nil)
        case .throttled:
            let share = status.flag.map { " to \(FigureText.percent($0.share, trimmed: true))" } ?? ""
            return Chip(tone: .throttled, label: "throttled\(share) · day \(status.day) of \(status.windowDays)", detail: nil)
        case .evaluated:
            let outcome = verdict?.outcome ?? report.verdict.outcome.rawValue
            let action = verdict?.recommendation ?? report.recommendation.action.rawValue
            return Chip(tone: outcomeTone(outcome), label: outcome.uppercased(), detail: "\(action) · awaiting decision")
        case .kept, .ended:
            let throttled = status.flag?.state == .throttled ? ", throttled by its watch" : ""
            return Chip(
                tone: outcomeTone(verdict?.outcome ?? "inconclusive"), label: (verdict?.outcome ?? "no verdict").uppercased(),
                detail: "\(status.state)\(throttled)")
        case .reversed:
            return Chip(tone: .rolledBack, label: "ROLLED BACK", detail: "after it was kept: a reversal")
        case .rolledBack:
            if let verdict { return Chip(tone: outcomeTone(verdict.outcome), label: verdict.outcome.uppercased(), detail: "rolled back") }
            return Chip(tone: .rolledBack, label: "ROLLED BACK", detail: rolledBackBySafety ? "by its safety checks" : "early, by decision")
        }
    }

    static func verdictSummary(
        recorded: VerdictRow?, report: ExperimentReport
    ) -> VerdictSummary? {
        // The recorded verdict stands as recorded; without one, the figures so far.
        struct Recorded: Decodable {
            var window: Window
            struct Window: Decodable { var from: String; var to: String }
            var verdict: Part
            var recommendation: Recommendation
            var kpis: [KPI]
            struct Part: Decodable { var outcome: String; var reason: String }
            struct Recommendation: Decodable { var action: String; var reason: String }
            struct KPI: Decodable {
                var role: String
                var name: String
                var arms: Arms
                var difference: Difference
                var mde: Double?
                struct Arms: Decodable { var control: Arm; var treatment: Arm }
                struct Arm: Decodable { var n: Int }
                struct Difference: Decodable { var relative: Double?; var ci_low: Double?; var ci_high: Double? }
            }
        }
        if let recorded, let figures = try? JSONDecoder().decode(Recorded.self, from: Data(recorded.document.utf8)),
            let primary = figures.kpis.first(where: { $0.role == "primary" })
        {
            return VerdictSummary(
                outcome: figures.verdict.outcome, reason: figures.verdict.reason, recorded: true, recordedAt: utcTime(recorded.at),
                window: "\(figures.window.from) to \(figures.window.to)", primary: primary.name,
                relative: primary.difference.relative, low: primary.difference.ci_low, high: primary.difference.ci_high,
                controlN: primary.arms.control.n, treatmentN: primary.arms.treatment.n, mde: primary.mde,
                changeText: changeText(primary.difference.relative, primary.difference.ci_low, primary.difference.ci_high),
                recommendation: figures.recommendation.action, recommendationReason: figures.recommendation.reason)
        }
        guard let primary = report.kpis.first(where: { $0.role == .primary }) else { return nil }
        return VerdictSummary(
            outcome: report.verdict.outcome.rawValue, reason: report.verdict.reason, recorded: false, recordedAt: nil,
            window: "\(report.from) to \(report.to)", primary: primary.kpi.name,
            relative: primary.relative?.value, low: primary.relative?.low, high: primary.relative?.high,
            controlN: primary.control.n, treatmentN: primary.treatment.n, mde: primary.minimumDetectableEffect,
            changeText: changeText(primary.relative?.value, primary.relative?.low, primary.relative?.high),
            recommendation: report.recommendation.action.rawValue, recommendationReason: report.recommendation.reason)
    }

    /// A relative change and its interval in words: `+12.0% (−3.1% to +29.8%)`.
    static func changeText(_ value: Double?, _ low: Double?, _ high: Double?) -> String {
        guard let value, value.isFinite else { return "n/a" }
        let signed = { (x: Double) in FigureText.percent(x, signed: true) }
        guard let low, let high, low.isFinite, high.isFinite else { return signed(value) + " (no interval)" }
        return "\(signed(value)) (\(signed(low)) to \(signed(high)))"
    }

    /// The figures for every customer, then per cohort (a report has per-cohort figures when
    /// the change declares two or more cohorts).
    static func figureSets(_ report: ExperimentReport, cohorts: [String]) -> [FigureSet] {
        func row(_ r: KPIResult) -> FigureRow {
            let finite = { (x: Double?) in x.flatMap { $0.isFinite ? $0 : nil } }
            let change = changeText(r.relative?.value, r.relative?.low, r.relative?.high)
            return FigureRow(
                kpi: r.kpi.name, role: r.role.rawValue, control: finite(r.control.value), treatment: finite(r.treatment.value),
                controlN: r.control.n, treatmentN: r.treatment.n, relative: finite(r.relative?.value), low: finite(r.relative?.low),
                high: finite(r.relative?.high), pValue: finite(r.pValue), controlText: r.kpi.shown(r.control.value),
                treatmentText: r.kpi.shown(r.treatment.value), changeText: change)
        }
        let caption = cohorts.isEmpty ? "every customer" : cohorts.count == 1 ? "cohort \(cohorts[0])" : "every declared cohort"
        var sets = [FigureSet(cohorts: ["all"] + (cohorts.count == 1 ? cohorts : []), caption: caption, rows: report.kpis.map(row))]
        for (cohort, results) in report.cohorts {
            sets.append(FigureSet(cohorts: [cohort], caption: "cohort \(cohort)", rows: results.map(row)))
        }
        return sets
    }

    static func series(_ result: KPIResult, days: [(day: LocalDay, result: KPIResult)]) -> Series {
        let unit: Series.Unit
        switch result.kpi.kind {
        case .conversion, .errorRate: unit = .rate
        case .count, .dailyCount: unit = .count
        default: unit = .number
        }
        let finite = { (x: Double) in x.isFinite ? x : nil }
        let points = days.map { day, r in
            Series.Point(
                day: day.description, control: r.control.n > 0 ? finite(r.control.value) : nil,
                treatment: r.treatment.n > 0 ? finite(r.treatment.value) : nil, controlN: r.control.n, treatmentN: r.treatment.n,
                controlText: result.kpi.shown(r.control.value), treatmentText: result.kpi.shown(r.treatment.value))
        }
        let intervals = result.armIntervals()
        func band(_ value: Double, _ interval: (low: Double, high: Double)?) -> Series.Band? {
            guard let interval, value.isFinite, interval.low.isFinite, interval.high.isFinite else { return nil }
            return Series.Band(
                value: value, low: interval.low, high: interval.high,
                text: "\(result.kpi.shown(value)) (\(result.kpi.shown(interval.low)) to \(result.kpi.shown(interval.high)))")
        }
        return Series(
            kpi: result.kpi.name, unit: unit, days: points, control: band(result.control.value, intervals?.control),
            treatment: band(result.treatment.value, intervals?.treatment))
    }

    static func guardrail(_ result: KPIResult, holds: Bool??) -> Guardrail {
        let kpi = result.kpi
        var text = result.difference.map {
            "\(kpi.shownChange($0.value)) (\(kpi.shownChange($0.low)) to \(kpi.shownChange($0.high)))"
        } ?? result.absoluteChange.map { "\(kpi.shownChange($0)) (no interval yet)" } ?? "no figures yet"
        if let limit = kpi.maxIncrease { text += ", limit +\(kpi.shownMargin(limit))" }
        if let rule = kpi.rule { text += ", rule \(Verdict.ruleText(rule, kpi))" }
        return Guardrail(
            kpi: kpi.name, change: result.difference?.value, low: result.difference?.low, high: result.difference?.high,
            limit: kpi.maxIncrease, holds: holds ?? nil, text: text)
    }

    /// The safety checks (done, or still to come) and the flag's changes, in hours from the start.
    static func timeline(
        _ status: ExperimentStatus, declaration: ExperimentDeclaration, checks: [SafetyCheckRow], records: [AuditRecord], zone: TimeZone
    ) -> [TimelineMark] {
        guard let start = ISO8601DateFormatter().date(from: status.startedAt) else { return [] }
        var marks: [TimelineMark] = []
        let done = Dictionary(uniqueKeysWithValues: checks.map { ($0.hour, $0) })
        for (index, hour) in declaration.safety.checkHours.enumerated() {
            let at = index < status.safetyChecks.count ? status.safetyChecks[index] : ""
            if let check = done[hour] {
                let kind: TimelineMark.Kind = check.outcome == "breach" ? .breach : (check.outcome == "overtaken" ? .overtaken : .ok)
                let action = check.action == "none" ? "" : ", \(check.action)"
                marks.append(TimelineMark(hour: Double(hour), kind: kind, text: "\(hour)h check (\(at)): \(check.outcome)\(action)"))
            } else if status.state.isLive {
                marks.append(TimelineMark(hour: Double(hour), kind: .scheduled, text: "\(hour)h check (\(at)): to come"))
            }
        }
        for record in records where ["flag", "safety-breach", "decision"].contains(record.action) {
            let details = record.detailsObject
            guard let instant = ISO8601DateFormatter().date(from: record.at) else { continue }
            let hour = instant.timeIntervalSince(start) / 3600
            // A decision by its name; a flag change or a breach by the flag's new state.
            let kind: TimelineMark.Kind
            if record.action == "decision" {
                switch details["decision"]?.text.flatMap(Lifecycle.Decision.init(rawValue:)) {
                case .keep?: kind = .keep
                case .rollback?: kind = .rollback
                case .scale?: kind = .scale
                default: continue
                }
            } else {
                switch details["to"]?["state"]?.text.flatMap(FlagState.init(rawValue:)) {
                case .throttled?: kind = .throttle
                case .off?, .rolledBack?: kind = .rollback
                case .on?: kind = .scale
                case .kept?: kind = .keep
                default: continue
                }
            }
            marks.append(TimelineMark(
                hour: hour, kind: kind,
                text: "\(EventRecord.format(instant, in: zone)): \(record.summary) (\(record.actor))"))
        }
        return marks.sorted { $0.hour < $1.hour }
    }

    // MARK: - The impact band

    /// Jobs booked, jobs completed and revenue over the 7 days before `date`, against the 7
    /// days before those: every event of the business, whatever its change.
    static func impact(store: EventStore, date: LocalDay, statuses: [ExperimentStatus]) throws -> Impact {
        let week = (date.number - 7)...(date.number - 1)
        let before = (date.number - 14)...(date.number - 8)
        var totals: [String: [(day: Int32, count: Int, value: Moments)]] = [:]
        for event in [impactEvents.booked, impactEvents.completed] {
            totals[event] = try store.dailyTotals(event: event, days: before.lowerBound...week.upperBound)
        }
        func total(_ arm: Int, _ event: String) -> (count: Int, value: Moments) {
            let range = arm == 0 ? week : before
            var count = 0
            var value = Moments(n: 0, sum: 0, sumOfSquares: 0)
            for day in totals[event] ?? [] where range.contains(day.day) {
                count += day.count
                value += day.value
            }
            return (count, value)
        }
        let days = { (range: ClosedRange<Int32>) in "\(LocalDay(number: range.lowerBound)) to \(LocalDay(number: range.upperBound))" }
        func ratioText(_ estimate: Estimate?) -> (Double?, Double?, Double?, String) {
            guard let estimate, estimate.value.isFinite else { return (nil, nil, nil, "no change to show: too few events") }
            let (v, l, h) = (estimate.value - 1, estimate.low - 1, estimate.high - 1)
            let signed = { (x: Double) in x.isFinite ? FigureText.percent(x, signed: true) : "+∞" }
            return (v, l, h, "\(signed(v)) (\(signed(l)) to \(signed(h)))")
        }
        var metrics: [Impact.Metric] = []
        for (name, event) in [("jobs booked", impactEvents.booked), ("jobs completed", impactEvents.completed)] {
            let (now, then) = (total(0, event).count, total(1, event).count)
            let (v, l, h, text) = ratioText(Compare.rateRatio(control: (then, 7), treatment: (now, 7)))
            metrics.append(Impact.Metric(
                name: name, event: event, week: Double(now), before: Double(then), change: v, low: l, high: h,
                weekText: "\(now)", beforeText: "\(then)", changeText: text))
        }
        let (now, then) = (total(0, impactEvents.completed).value, total(1, impactEvents.completed).value)
        let (v, l, h, text) = ratioText(Compare.totalRatio(
            control: (then.sum, then.sumOfSquares, 7), treatment: (now.sum, now.sumOfSquares, 7)))
        let money = FigureText.dollars
        metrics.append(Impact.Metric(
            name: "revenue", event: "\(impactEvents.completed).value", week: now.sum, before: then.sum, change: v, low: l, high: h,
            weekText: money(now.sum), beforeText: money(then.sum), changeText: text))
        let running = statuses.filter { status in
            guard let start = LocalDay(status.windowStart), let end = LocalDay(status.windowEnd) else { return false }
            return start.number <= week.upperBound && end.number >= week.lowerBound
        }.map { "\($0.changeID) \($0.title)" }
        return Impact(week: days(week), before: days(before), metrics: metrics, running: running)
    }
}

extension AnyJSON {
    var text: String? {
        switch self {
        case .string(let s): s
        case .number(let n): FigureText.number(n, digits: 4, trimmed: true)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }
}

extension AuditRecord {
    var detailsObject: AnyJSON {
        (try? JSONDecoder().decode(AnyJSON.self, from: Data(details.utf8))) ?? .null
    }

    /// The record in a few words, for the dashboard.
    public var summary: String {
        let d = detailsObject
        let share = { (x: AnyJSON?) -> String in
            if case .number(let n)? = x { return FigureText.percent(n, trimmed: true) }
            return "?"
        }
        switch action {
        case "create": return "created \(d["script"]?.text ?? "")"
        case "start":
            return "started: window \(d["window_start"]?.text ?? "") to \(d["window_end"]?.text ?? ""), flag \(d["flag"]?.text ?? "") at \(share(d["share"])), seal \(String((d["seal"]?.text ?? "").prefix(12)))"
        case "flag":
            return "flag \(d["flag"]?.text ?? ""): \(d["from"]?["state"]?.text ?? "") \(share(d["from"]?["share"])) → \(d["to"]?["state"]?.text ?? "") \(share(d["to"]?["share"])) (\(d["reason"]?.text ?? ""))"
        case "verdict":
            return "verdict \(d["outcome"]?.text?.uppercased() ?? ""), recommendation \(d["recommendation"]?.text ?? "none"), \(d["events"]?.text ?? "?") events"
        case "decision":
            let note = d["note"]?.text ?? ""
            let reverses = d["reverses"].map { " (a reversal of record \($0["seq"]?.text ?? "?"): \($0["decision"]?.text ?? "keep"))" } ?? ""
            return "decision \(d["decision"]?.text ?? "")\(d["early"] == .bool(true) ? " (early)" : "")\(reverses)\(note.isEmpty ? "" : ": \(note)")"
        case "safety-breach": return "safety breach at \(d["hour"]?.text ?? "?")h: \(d["words"]?.text ?? d["action"]?.text ?? "")"
        case "override-underpowered":
            return "started although the forecast said the window cannot decide the rule: \(d["forecast"]?["conclusion"]?.text ?? "")"
        case "override-overlap":
            let running: [String]
            if case .array(let items)? = d["running"] { running = items.compactMap(\.text) } else { running = [] }
            return "started beside changes already running: \(running.isEmpty ? "?" : running.joined(separator: ", "))"
        case "assign":
            return "customer list of \(d["day"]?.text ?? "?") from \(d["source"]?.text ?? "?"): \(d["customers"]?["treatment"]?.text ?? "?") get the change, \(d["customers"]?["control"]?.text ?? "?") do not"
        case "watch-end":
            return "watch over (\(d["kept_on"]?.text ?? "?") to \(d["watched_through"]?.text ?? "?")), \(d["breaches"]?.text ?? "0") breaches: kept for good"
        case "ingest":
            return "ingested \(d["source"]?.text ?? "?"): \(d["stored"]?.text ?? "?") stored, \(d["quarantined"]?.text ?? "0") quarantined"
        default:
            // Never a raw record: its action, and where to read the whole of it.
            return "\(action) (the whole record: verdict audit --json)"
        }
    }
}
