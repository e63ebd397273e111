import CVerdictHash
import Foundation
import VerdictScript
import VerdictStats
import VerdictStore

/// One arm of an experiment: which events it sees, and its exposure (for counts).
struct Arm: Sendable, Equatable {
    /// `control` or `treatment`.
    var name: String
    /// The events the arm sees (before a KPI's own filters).
    var filter: EventFilter
    /// Traffic share × days for an A/B arm; days for a before/after or switchback arm.
    var exposure: Double
    /// When customers count once per period rather than once per arm: a before/after baseline
    /// repeats the window's period `weeks` times.
    var period: (start: Int32, length: Int32)?
    /// With an outcome lag: the arm's events run past the window, and a conversion counts the
    /// customers whose first step is on or before this day (the window's last).
    var exposedThrough: Int32?

    /// The arm followed `days` more days after its window, for a KPI's outcome lag.
    func followed(for days: Int) -> Arm {
        guard days > 0, let last = filter.toDay else { return self }
        var arm = self
        arm.filter.toDay = last + Int32(days)
        arm.exposedThrough = last
        if let first = filter.fromDay { arm.exposure = exposure * Double(last + Int32(days) - first + 1) / Double(last - first + 1) }
        return arm
    }

    static func == (a: Arm, b: Arm) -> Bool {
        a.name == b.name && a.filter == b.filter && a.exposure == b.exposure && a.period?.start == b.period?.start
            && a.period?.length == b.period?.length && a.exposedThrough == b.exposedThrough
    }
}

/// What `verdict report` shows: every KPI per arm with its statistics, SRM, and the verdict.
public struct ExperimentReport: Sendable {
    public var changeID: String
    public var from: LocalDay
    public var to: LocalDay
    public var kpis: [KPIResult]
    /// KPIs that read event names no stored event has (see `UnknownEventName`).
    public var unknownEvents: [UnknownEventName] = []
    /// Sample ratio mismatch of the arms' event counts against the design (A/B and switchback).
    public var sampleRatioMismatch: (statistic: Double, pValue: Double)?
    public var verdict: Verdict
    /// Keep, rollback or extend, beside the verdict (computed once, here, for every surface).
    public var recommendation: Recommendation
    /// The same KPIs within each declared cohort.
    public var cohorts: [(cohort: String, kpis: [KPIResult])]
    /// With an outcome lag: the last day whose outcomes count (the window's end plus the lag).
    public var outcomesThrough: LocalDay?

    /// The units (customers, else events) in each arm that the sample ratio check counted.
    public var sampleRatioUnits: [Int] = []
    /// What keeping the change is worth in money, from its customers' job and invoice values
    /// (nil without them).
    public var value: ValueEffect?

    /// Below this p-value the arms' sizes are taken to differ from the design (a broken flag or
    /// split), as GrowthBook and most platforms do: SRM checks run on every report, so the
    /// threshold is strict to keep false alarms rare.
    public static let sampleRatioMismatchThreshold = 0.001
    /// The check is judged only when every arm has at least this many units: below it a
    /// chi-square on a handful of customers says little either way.
    public static let sampleRatioMinimumPerArm = 50

    /// Whether there are enough units in every arm to judge the sample ratio.
    public var sampleRatioJudged: Bool {
        sampleRatioMismatch != nil && (sampleRatioUnits.isEmpty || sampleRatioUnits.min()! >= Self.sampleRatioMinimumPerArm)
    }

    /// Whether the arms' sizes differ from the design's split beyond chance.
    public var hasSampleRatioMismatch: Bool {
        sampleRatioJudged && (sampleRatioMismatch?.pValue ?? 1) < Self.sampleRatioMismatchThreshold
    }
}

/// Evaluates a declared experiment over stored events.
public struct Evaluator {
    let store: EventStore
    let declaration: ExperimentDeclaration
    let alpha: Double
    let power: Double
    let riskTolerance: Double
    let customKPIs: QueryHandle?

    /// - Parameter sandbox: the sandbox the declaration was loaded in (for custom KPIs).
    init(store: EventStore, declaration: ExperimentDeclaration, settings: WorkspaceSettings, sandbox: LuaSandbox? = nil) {
        self.store = store
        self.declaration = declaration
        alpha = declaration.alpha ?? settings.alpha
        power = declaration.power ?? settings.power
        riskTolerance = declaration.riskTolerance ?? settings.riskTolerance
        customKPIs = sandbox.map { QueryHandle(sandbox: $0, store: store) }
    }

    /// The report for the window `from`...`to` (local days, inclusive).
    public func report(from: LocalDay, to: LocalDay) throws -> ExperimentReport {
        try report(from: from, to: to, window: nil)
    }

    /// The report for the window and `kpis` day by day, from one read of the window where the
    /// design allows (A/B): what `report` and `daily` give, for about the price of one.
    public func reportWithDays(
        from: LocalDay, to: LocalDay, days kpis: [(KPI, KPIResult.Role)]
    ) throws -> (report: ExperimentReport, days: [[(day: LocalDay, result: KPIResult)]]) {
        let (control, treatment) = arms(from: from, to: to, cohorts: declaration.cohorts)
        guard Self.oneRead(control, treatment) else { return (try report(from: from, to: to), try daily(kpis, from: from, to: to)) }
        let window = try WindowFigures(store: store, control: control, treatment: treatment, kpis: declaration.kpis, byDay: true)
        return (try report(from: from, to: to, window: window), try daily(kpis, from: from, to: to, window: window))
    }

    /// Whether each day's figures can come from one read of the window: arms of one range of
    /// days each (A/B), not of chosen days (switchback) or of periods (before/after).
    static func oneRead(_ control: Arm, _ treatment: Arm) -> Bool {
        control.period == nil && control.filter.days.isEmpty && treatment.filter.days.isEmpty
    }

    private func report(from: LocalDay, to: LocalDay, window read: WindowFigures?) throws -> ExperimentReport {
        let (control, treatment) = arms(from: from, to: to, cohorts: declaration.cohorts)
        let window = try read ?? WindowFigures(store: store, control: control, treatment: treatment, kpis: declaration.kpis)
        let kpis = try evaluateAll(control: control, treatment: treatment, window: window)
        var cohorts: [(String, [KPIResult])] = []
        for cohort in declaration.cohorts where declaration.cohorts.count > 1 {
            let (c, t) = arms(from: from, to: to, cohorts: [cohort])
            let figures = try WindowFigures(store: store, control: c, treatment: t, kpis: declaration.kpis)
            cohorts.append((cohort, try evaluateAll(control: c, treatment: t, window: figures)))
        }
        let unknown = UnknownEventName.find(in: declaration, stored: try store.eventNames())
        let verdict = Verdict.decide(declaration, results: kpis, unknownEvents: unknown)
        let days = Int(to.number - from.number) + 1
        let windows = max(1, (days + declaration.windowDays - 1) / declaration.windowDays)
        var report = ExperimentReport(
            changeID: declaration.changeID, from: from, to: to, kpis: kpis,
            sampleRatioMismatch: sampleRatioMismatch(control: control, treatment: treatment, window: window),
            verdict: verdict,
            recommendation: Recommendation.make(declaration, results: kpis, verdict: verdict, tolerance: riskTolerance, windows: windows),
            cohorts: cohorts)
        report.unknownEvents = unknown
        if declaration.outcomeLagDays > 0 { report.outcomesThrough = LocalDay(number: to.number + Int32(declaration.outcomeLagDays)) }
        report.sampleRatioUnits = sampleRatioUnits(control: control, treatment: treatment, window: window)
        report.value = try valueEffect(control: control, treatment: treatment, days: days)
        return report
    }

    /// Each arm's customers' job and invoice value over the window (A/B and switchback: a
    /// before/after baseline repeats customers across periods, so it has none).
    func valueEffect(control: Arm, treatment: Arm, days: Int) throws -> ValueEffect? {
        if case .beforeAfter = declaration.design { return nil }
        return ValueEffect.make(
            control: try store.valuePerCustomer(control.filter, events: ValueEffect.events),
            treatment: try store.valuePerCustomer(treatment.filter, events: ValueEffect.events), days: days, alpha: alpha)
    }

    /// The leading indicator and the guardrails alone over `from`...`to`: what a safety check
    /// judges, without the primary's per-customer reads or the sample ratio a report adds.
    func safetyResults(from: LocalDay, to: LocalDay) throws -> [KPIResult] {
        let kpis: [(KPI, KPIResult.Role)] = [(declaration.leading, .leading)] + declaration.guardrails.map { ($0, .guardrail) }
        let (control, treatment) = arms(from: from, to: to, cohorts: declaration.cohorts)
        let window = try WindowFigures(store: store, control: control, treatment: treatment, kpis: kpis.map(\.0))
        return try kpis.map { try evaluate($0.0, role: $0.1, control: control, treatment: treatment, window: window) }
    }

    /// The leading indicator and the guardrails of a kept change, watched after its decision: the
    /// treatment over the days `recent` (served to everyone targeted now, or to `share` of them
    /// under a throttle) against the control arm of the window the change was judged on.
    func watchResults(window: ClosedRange<Int32>, recent: ClosedRange<Int32>, share: Double) throws -> [KPIResult] {
        let kpis: [(KPI, KPIResult.Role)] = [(declaration.leading, .leading)] + declaration.guardrails.map { ($0, .guardrail) }
        let control = arms(from: LocalDay(number: window.lowerBound), to: LocalDay(number: window.upperBound), cohorts: declaration.cohorts).control
        var treatment = arms(from: LocalDay(number: recent.lowerBound), to: LocalDay(number: recent.upperBound), cohorts: declaration.cohorts)
            .treatment
        treatment.filter.days = []  // a kept switchback serves every day
        treatment.exposure = share * Double(recent.count)
        let figures = try WindowFigures(store: store, control: control, treatment: treatment, kpis: kpis.map(\.0))
        return try kpis.map { try evaluate($0.0, role: $0.1, control: control, treatment: treatment, window: figures) }
    }

    /// One KPI's per-arm figures for each day of the window (for daily charts and the leading
    /// indicator): the same computation as the window's, over one day at a time.
    public func daily(_ kpi: KPI, role: KPIResult.Role, from: LocalDay, to: LocalDay) throws -> [(day: LocalDay, result: KPIResult)] {
        try daily([(kpi, role)], from: from, to: to)[0]
    }

    /// Several KPIs' per-arm figures for each day of the window. An A/B design's days all come
    /// from one read of the window (each day's customers kept apart); the other designs read
    /// each day as a window of its own.
    public func daily(_ kpis: [(KPI, KPIResult.Role)], from: LocalDay, to: LocalDay) throws -> [[(day: LocalDay, result: KPIResult)]] {
        try daily(kpis, from: from, to: to, window: nil)
    }

    /// `daily`, from `read` when given (a window read `byDay` that covers `kpis`).
    private func daily(
        _ kpis: [(KPI, KPIResult.Role)], from: LocalDay, to: LocalDay, window read: WindowFigures?
    ) throws -> [[(day: LocalDay, result: KPIResult)]] {
        guard from <= to else { return kpis.map { _ in [] } }
        let (control, treatment) = arms(from: from, to: to, cohorts: declaration.cohorts)
        func oneDay(_ arm: Arm, _ day: Int32) -> Arm {
            var single = arm
            single.filter.fromDay = day
            single.filter.toDay = day
            if !single.filter.days.isEmpty { single.filter.days = single.filter.days.contains(day) ? [day] : [Int32.min] }
            let days = Double(to.number - from.number + 1)
            single.exposure = arm.exposure / days
            return single
        }
        let window = try read ?? (Self.oneRead(control, treatment)
            ? WindowFigures(store: store, control: control, treatment: treatment, kpis: kpis.map(\.0), byDay: true) : nil)
        var series = kpis.map { _ in [(day: LocalDay, result: KPIResult)]() }
        for day in from.number...to.number {
            let (c, t) = (oneDay(control, day), oneDay(treatment, day))
            let figures = try window?.day(day) ?? WindowFigures(store: store, control: c, treatment: t, kpis: kpis.map(\.0))
            for (index, (kpi, role)) in kpis.enumerated() {
                series[index].append((LocalDay(number: day), try evaluate(kpi, role: role, control: c, treatment: t, window: figures)))
            }
        }
        return series
    }

    /// The arms of the design over the window.
    func arms(from: LocalDay, to: LocalDay, cohorts: [String]) -> (control: Arm, treatment: Arm) {
        let days = Double(to.number - from.number + 1)
        func filter(_ changeID: String?, _ flag: String?, days: [Int32] = [], range: ClosedRange<Int32>? = nil) -> EventFilter {
            var filter = EventFilter(
                changeID: changeID, versionFlag: flag, fromDay: range?.lowerBound ?? from.number, toDay: range?.upperBound ?? to.number)
            filter.cohorts = cohorts
            filter.days = days
            return filter
        }
        switch declaration.design {
        case .ab(_, let controlVariant, let treatmentVariant, let split):
            return (
                Arm(name: "control", filter: filter(declaration.changeID, controlVariant), exposure: (1 - split) * days),
                Arm(name: "treatment", filter: filter(declaration.changeID, treatmentVariant), exposure: split * days)
            )
        case .beforeAfter(let weeks):
            // The same weekdays in the `weeks` periods before the window, each as long as the
            // window rounded up to whole weeks (so they never overlap it): every event, whatever
            // its change. A customer counts once per period, in the baseline as in the window.
            let period = Int32(7 * ((to.number - from.number + 1 + 6) / 7))
            let baseline = (1...Int32(weeks)).flatMap { block in
                (from.number...to.number).map { $0 - period * block }
            }
            return (
                Arm(
                    name: "control", filter: filter(nil, nil, days: baseline, range: baseline.min()!...baseline.max()!),
                    exposure: Double(baseline.count), period: (from.number, period)),
                Arm(name: "treatment", filter: filter(nil, nil), exposure: days, period: (from.number, period))
            )
        case .switchback(_, _, _, let seed):
            let all = Array(from.number...to.number)
            let treatmentDays = all.filter { Self.switchbackIsTreatment(day: $0, seed: seed) }
            let controlDays = all.filter { !Self.switchbackIsTreatment(day: $0, seed: seed) }
            return (
                Arm(name: "control", filter: filter(declaration.changeID, nil, days: controlDays.isEmpty ? [Int32.min] : controlDays), exposure: Double(controlDays.count)),
                Arm(name: "treatment", filter: filter(declaration.changeID, nil, days: treatmentDays.isEmpty ? [Int32.min] : treatmentDays), exposure: Double(treatmentDays.count))
            )
        }
    }

    /// Whether a switchback serves the treatment on `day`: the low bit of SplitMix64 of
    /// (seed, day). Documented so a website can follow the same schedule.
    public static func switchbackIsTreatment(day: Int32, seed: Int64) -> Bool {
        vh_splitmix64_mix(UInt64(bitPattern: seed) &* VH_SPLITMIX64_GAMMA &+ UInt64(bitPattern: Int64(day))) & 1 == 1
    }

    private func evaluateAll(control: Arm, treatment: Arm, window: WindowFigures) throws -> [KPIResult] {
        var results = [try evaluate(declaration.primary, role: .primary, control: control, treatment: treatment, window: window)]
        results.append(try evaluate(declaration.leading, role: .leading, control: control, treatment: treatment, window: window))
        for guardrail in declaration.guardrails {
            results.append(try evaluate(guardrail, role: .guardrail, control: control, treatment: treatment, window: window))
        }
        return results
    }

    /// One KPI over both arms; built-in kinds take their figures from the window's, unless the KPI
    /// filters on props, which only a query of its own can see.
    func evaluate(_ kpi: KPI, role: KPIResult.Role, control: Arm, treatment: Arm, window: WindowFigures) throws -> KPIResult {
        let figures: any ArmFigures = window.covers(kpi) ? window : QueriedFigures(store: store)
        let control = control.followed(for: kpi.outcomeLagDays), treatment = treatment.followed(for: kpi.outcomeLagDays)
        switch kpi.kind {
        case .count(let event), .dailyCount(let event):
            let c0 = try figures.count(control, event: event, filter: kpi.filter, status: .kpi)
            let c1 = try figures.count(treatment, event: event, filter: kpi.filter, status: .kpi)
            return poissonResult(kpi, role: role, control: (c0, control.exposure, c0), treatment: (c1, treatment.exposure, c1))
        case .rate(let numerator, let denominator):
            let n0 = try figures.count(control, event: numerator, filter: kpi.filter, status: .kpi)
            let d0 = try figures.count(control, event: denominator, filter: kpi.filter, status: .kpi)
            let n1 = try figures.count(treatment, event: numerator, filter: kpi.filter, status: .kpi)
            let d1 = try figures.count(treatment, event: denominator, filter: kpi.filter, status: .kpi)
            return poissonResult(kpi, role: role, control: (n0, Double(d0), d0), treatment: (n1, Double(d1), d1))
        case .conversion(let from, let to):
            // Per customer when the events carry user_id; otherwise per event.
            let byCustomer = (
                try figures.conversion(control, from: from, to: to, filter: kpi.filter),
                try figures.conversion(treatment, from: from, to: to, filter: kpi.filter))
            if byCustomer.0.trials + byCustomer.1.trials > 0 {
                return proportionResult(
                    kpi, role: role, control: (byCustomer.0.successes, byCustomer.0.trials),
                    treatment: (byCustomer.1.successes, byCustomer.1.trials))
            }
            func byEvent(_ arm: Arm) throws -> (successes: Int, trials: Int) {
                let trials = try figures.count(arm, event: from, filter: kpi.filter, status: .kpi)
                return (min(try figures.count(arm, event: to, filter: kpi.filter, status: .kpi), trials), trials)
            }
            return proportionResult(kpi, role: role, control: try byEvent(control), treatment: try byEvent(treatment))
        case .errorRate(let event):
            func arm(_ arm: Arm) throws -> (successes: Int, trials: Int) {
                (try figures.count(arm, event: event, filter: kpi.filter, status: .errors),
                 try figures.count(arm, event: event, filter: kpi.filter, status: .any))
            }
            return proportionResult(kpi, role: role, control: try arm(control), treatment: try arm(treatment))
        case .mean(let event, let of):
            func summary(_ arm: Arm) throws -> ArmSummary {
                let moments = try figures.moments(arm, event: event, filter: kpi.filter, of: of)
                let (mean, variance) = moments.meanAndVariance
                return ArmSummary(n: moments.n, mean: mean, variance: variance)
            }
            let a = try summary(control), b = try summary(treatment)
            var result = KPIResult(
                role: role, kpi: kpi, control: (a.n, a.mean), treatment: (b.n, b.mean),
                difference: Compare.meanDifference(control: a, treatment: b, alpha: alpha),
                relative: Compare.relativeLift(control: a, treatment: b, alpha: alpha))
            result.summaries = (a, b)
            result.comparison = KPIResult.Comparison(result.relative)
            result.treatmentInterval = OneArm.mean(b, alpha: alpha)
            if a.mean != 0, a.variance > 0 {
                let sd = a.variance.squareRoot()
                // The t test's power (noncentral t, as pwr.t.test), not the normal's: at contractor
                // scale the difference matters (64 per arm for d = 0.5, not 63).
                let mde = Power.tTestMinimumDetectableEffect(perArm: Double(min(a.n, b.n)), alpha: alpha, power: power)
                result.minimumDetectableEffect = Self.directed(mde * sd / abs(a.mean), kpi)
                if let threshold = ruleChange(kpi.rule, control: a.mean) {
                    result.requiredPerArm = Power.tTestSampleSizePerArm(effectSize: threshold * abs(a.mean) / sd, alpha: alpha, power: power)
                }
            }
            return result
        case .quantile(let event, let of, let p):
            let column: MeasureColumn = of == .value ? .value : .latencyMs
            let queried = QueriedFigures(store: store)
            let v0 = try store.values(column, queried.scoped(control, event: event, filter: kpi.filter, status: .kpi), limit: 1_000_000)
            let v1 = try store.values(column, queried.scoped(treatment, event: event, filter: kpi.filter, status: .kpi), limit: 1_000_000)
            let compared = Bootstrap.quantileDifference(control: v0, treatment: v1, p: p, alpha: alpha, seed: UInt64(truncatingIfNeeded: declaration.changeID.hashValueStable))
            var result = KPIResult(
                role: role, kpi: kpi, control: (v0.count, v0.isEmpty ? 0 : Bootstrap.quantile(sorted: v0, p)),
                treatment: (v1.count, v1.isEmpty ? 0 : Bootstrap.quantile(sorted: v1, p)),
                difference: compared?.difference, relative: compared?.relative)
            result.comparison = KPIResult.Comparison(compared?.relative)
            // The same minimum-sample safeguard as the other kinds, from the bootstrap's standard
            // error, which shrinks as 1/√n: the sample at which the rule's change is detectable at
            // the declared power.
            if let relative = compared?.relative, relative.standardError.isFinite, relative.standardError > 0 {
                let z = Normal.quantile(1 - alpha / 2) + Normal.quantile(power)
                let n = Double(min(v0.count, v1.count))
                result.minimumDetectableEffect = z * relative.standardError
                if let threshold = ruleChange(kpi.rule, control: result.control.value), threshold > 0 {
                    result.requiredPerArm = n * pow(z * relative.standardError / threshold, 2)
                }
            }
            return result
        case .custom(let compute):
            guard let customKPIs else { throw ScriptError(kind: .runtime, message: "\(kpi.name): custom KPIs need the experiment's sandbox") }
            let scope = { (arm: Arm) in
                QueryScope(
                    changeID: arm.filter.changeID, versionFlag: arm.filter.versionFlag, cohorts: arm.filter.cohorts,
                    fromDay: arm.filter.fromDay, toDay: arm.filter.toDay, days: arm.filter.days)
            }
            let r0 = try customKPIs.compute(compute, scope: scope(control)), r1 = try customKPIs.compute(compute, scope: scope(treatment))
            switch (r0, r1) {
            case (.proportion(let s0, let t0), .proportion(let s1, let t1)):
                return proportionResult(kpi, role: role, control: (s0, t0), treatment: (s1, t1))
            default:
                func value(_ r: CustomKPIResult) -> (Int, Double) {
                    switch r {
                    case .value(let x, let n): return (n ?? 0, x)
                    case .proportion(let s, let t): return (t, t > 0 ? Double(s) / Double(t) : 0)
                    }
                }
                return KPIResult(role: role, kpi: kpi, control: value(r0), treatment: value(r1), difference: nil, relative: nil)
            }
        }
    }

    /// A count over its exposure (days at the arm's share, or a denominator's events), each arm
    /// with the sample it shows as n: the arms' Gamma posteriors give both intervals, the p-value,
    /// the chance and the losses.
    private func poissonResult(
        _ kpi: KPI, role: KPIResult.Role, control: (count: Int, exposure: Double, n: Int), treatment: (count: Int, exposure: Double, n: Int)
    ) -> KPIResult {
        let rate = { (arm: (count: Int, exposure: Double, n: Int)) in arm.exposure > 0 ? Double(arm.count) / arm.exposure : 0 }
        let (r0, r1) = (rate(control), rate(treatment))
        let posterior = TwoArmPosterior.counts(control: (control.count, control.exposure), treatment: (treatment.count, treatment.exposure))
        var result = KPIResult(
            role: role, kpi: kpi, control: (control.n, r0), treatment: (treatment.n, r1),
            difference: posterior?.absolute(observed: r1 - r0, alpha: alpha),
            relative: posterior?.relative(observed: r0 > 0 ? r1 / r0 - 1 : .infinity, alpha: alpha))
        result.comparison = KPIResult.Comparison(posterior)
        result.posterior = posterior
        result.summaries = Self.poisson((control.count, control.exposure), (treatment.count, treatment.exposure))
        result.treatmentInterval = OneArm.poissonRate(count: treatment.count, exposure: treatment.exposure, alpha: alpha)
        return result
    }

    private func proportionResult(_ kpi: KPI, role: KPIResult.Role, control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int)) -> KPIResult {
        Self.proportionResult(kpi, role: role, control: control, treatment: treatment, alpha: alpha, power: power)
    }

    /// A proportion KPI's result from each arm's successes and trials, at `alpha` and `power`.
    static func proportionResult(
        _ kpi: KPI, role: KPIResult.Role, control: (successes: Int, trials: Int), treatment: (successes: Int, trials: Int), alpha: Double,
        power: Double
    ) -> KPIResult {
        let a = ArmSummary.proportion(successes: control.successes, trials: control.trials)
        let b = ArmSummary.proportion(successes: treatment.successes, trials: treatment.trials)
        // One posterior per arm (Beta, uniform prior) gives both intervals, the p-value, the chance
        // and the expected losses, so that none contradicts another.
        let posterior = TwoArmPosterior.rates(control: control, treatment: treatment)
        var result = KPIResult(
            role: role, kpi: kpi, control: (control.trials, a.mean), treatment: (treatment.trials, b.mean),
            difference: posterior?.absolute(observed: b.mean - a.mean, alpha: alpha),
            relative: posterior?.relative(observed: a.mean > 0 ? b.mean / a.mean - 1 : .infinity, alpha: alpha))
        result.comparison = KPIResult.Comparison(posterior)
        result.posterior = posterior
        result.summaries = (a, b)
        result.treatmentInterval = OneArm.proportion(successes: treatment.successes, trials: treatment.trials, alpha: alpha)
        if a.mean > 0 && a.mean < 1 {
            let perArm = Double(max(1, min(control.trials, treatment.trials)))
            result.minimumDetectableEffect = kpi.better == .lower
                ? Power.minimumDetectableDrop(baseline: a.mean, perArm: perArm, alpha: alpha, power: power)
                : Power.minimumDetectableLift(baseline: a.mean, perArm: perArm, alpha: alpha, power: power)
            if let threshold = ruleChange(kpi.rule, control: a.mean) {
                result.requiredPerArm = Power.sampleSizePerArm(
                    baseline: a.mean, relativeLift: kpi.better == .lower ? -threshold : threshold, alpha: alpha, power: power)
            }
        }
        return result
    }

    /// Two counts over their exposures as Poisson rates: n = the count, mean = count / exposure
    /// and variance = mean², so that variance / n = count / exposure², the rate's variance. Nil
    /// without exposure.
    static func poisson(_ a: (count: Int, exposure: Double), _ b: (count: Int, exposure: Double)) -> (ArmSummary, ArmSummary)? {
        guard a.exposure > 0, b.exposure > 0 else { return nil }
        func summary(_ arm: (count: Int, exposure: Double)) -> ArmSummary {
            let rate = Double(arm.count) / arm.exposure
            return ArmSummary(n: arm.count, mean: rate, variance: rate * rate)
        }
        return (summary(a), summary(b))
    }

    /// The relative change a rule turns on, for the sample it needs (nil: the rule has none): a
    /// declared lift or drop; for a level the treatment must reach or stay within (`at_least`,
    /// `at_most`), its distance from the control's value, which the sample must be able to tell
    /// apart. So an absolute rule has the same minimum-sample safeguard as a relative one.
    static func ruleChange(_ rule: Rule?, control: Double) -> Double? {
        switch rule {
        case .atLeast(let level)?, .atMost(let level)?: control != 0 && level != control ? abs(level / control - 1) : nil
        case .allOf(let rules)?, .anyOf(let rules)?: rules.compactMap { ruleChange($0, control: control) }.min()
        default: liftThreshold(rule)
        }
    }

    func ruleChange(_ rule: Rule?, control: Double) -> Double? { Self.ruleChange(rule, control: control) }

    /// The relative change a relative rule turns on (nil: the rule has none).
    static func liftThreshold(_ rule: Rule?) -> Double? {
        switch rule {
        case .liftAtLeast(let x)?, .dropAtLeast(let x)?: x > 0 ? x : nil
        case .allOf(let rules)?, .anyOf(let rules)?: rules.compactMap { liftThreshold($0) }.min()
        default: nil
        }
    }

    func liftThreshold(_ rule: Rule?) -> Double? { Self.liftThreshold(rule) }

    /// The units the sample ratio check counts: customers, else events.
    private func sampleRatioUnits(control: Arm, treatment: Arm, window: WindowFigures) -> [Int] {
        // Units, not events: a treatment may add events of its own (clicks on the new button).
        let users = [window.customerCount(control), window.customerCount(treatment)]
        return users.reduce(0, +) > 0 ? users : [window.eventCount(control), window.eventCount(treatment)]
    }

    private func sampleRatioMismatch(control: Arm, treatment: Arm, window: WindowFigures) -> (statistic: Double, pValue: Double)? {
        if case .beforeAfter = declaration.design { return nil }
        let counts = sampleRatioUnits(control: control, treatment: treatment, window: window)
        let total = control.exposure + treatment.exposure
        guard total > 0 else { return nil }
        return Compare.sampleRatioMismatch(counts: counts, shares: [control.exposure / total, treatment.exposure / total])
    }
}

extension String {
    /// A hash of the text that is the same in every run (Swift's own hashValue is seeded).
    var hashValueStable: Int64 {
        var text = self
        return Int64(bitPattern: text.withUTF8 { vh_fnv1a($0.baseAddress, $0.count) })
    }
}
