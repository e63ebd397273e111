import VerdictScript

/// What loading an experiment script produces: one change, declared in full (DESIGN.md §5).
public struct ExperimentDeclaration: Sendable, Equatable {
    /// The change's id, such as `CHG-0007`.
    public var changeID: String
    /// A short title.
    public var title: String
    /// One sentence: what the change should do, for whom.
    public var hypothesis: String
    /// Who answers for it.
    public var owner: String?
    /// How arms are formed.
    public var design: Design
    /// How long it runs.
    public var windowDays: Int
    /// The cohorts it applies to; empty means everyone.
    public var cohorts: [String]
    /// The one customer-facing KPI the rule decides on.
    public var primary: KPI
    /// The one daily signal watched to catch drift early.
    public var leading: KPI
    /// KPIs that must not get worse beyond their limits.
    public var guardrails: [KPI]
    /// The primary KPI, the leading indicator, then the guardrails.
    public var kpis: [KPI] { [primary, leading] + guardrails }
    /// The longest outcome lag of its KPIs: how many days after the window its verdict waits.
    public var outcomeLagDays: Int { kpis.map(\.outcomeLagDays).max() ?? 0 }
    /// What to do when a guardrail or the leading indicator breaches early.
    public var safety: Safety
    /// The lift the owner expects, for `verdict forecast`.
    public var expectedLift: Double?
    /// What to do when the verdict is inconclusive.
    public var ifInconclusive: InconclusiveAction
    /// The expected loss of keeping (relative, on the primary KPI) below which an inconclusive
    /// change is recommended for keeping; the workspace's when not declared.
    public var riskTolerance: Double?
    /// The significance level; the workspace's when not declared.
    public var alpha: Double?
    /// The power; the workspace's when not declared.
    public var power: Double?
    /// Whether the rule is judged on the point estimate or needs the whole interval.
    public var confidence: Confidence
    /// For a change people carry out (a reminder text, a follow-up call): what the office does
    /// for each customer in the treatment, as `verdict today` says it.
    public var task: String?
    /// How many days after a decision to keep it the change stays watched by `daily` (its
    /// guardrails and leading indicator); 0 for none.
    public var watchDays: Int
    /// The change_id of a rolled-back change this one tries again (it may reuse its flag).
    public var follows: String?
    /// The watch after a keep when a script declares none.
    public static let defaultWatchDays = 28
    /// Where the `experiment { ... }` call is.
    public var location: SourceLocation
    /// What the script declared, as canonical JSON (`CanonicalJSON`): the declaration's part of
    /// the seal.
    public var declared: String

    /// How arms are formed.
    public enum Design: Sendable, Equatable {
        /// Arms by flag variant, with the treatment's share of traffic.
        case ab(flag: String, control: String, treatment: String, split: Double)
        /// The treatment window against the aligned window(s) just before the start.
        case beforeAfter(weeks: Int)
        /// The flag alternates by day on a seeded schedule.
        case switchback(flag: String, control: String, treatment: String, seed: Int64)
    }

    /// What to do when the verdict is inconclusive.
    public enum InconclusiveAction: String, Sendable, Equatable, CaseIterable {
        case keep, rollback, extend
    }

    /// How a rule is judged.
    public enum Confidence: String, Sendable, Equatable, CaseIterable {
        /// On the point estimate, once the sample is big enough.
        case point
        /// Only when the whole interval is on the passing side.
        case interval
    }
}

/// A named measurement over events.
public struct KPI: Sendable, Equatable {
    /// What it is called in reports.
    public var name: String
    /// What it measures.
    public var kind: Kind
    /// Which events it counts.
    public var filter: Filter
    /// Whether higher or lower is better.
    public var better: Direction
    /// The pass rule (the primary's decides the verdict; a guardrail's must hold).
    public var rule: Rule?
    /// For a guardrail: the largest absolute increase allowed (0.005 = half a percentage point).
    public var maxIncrease: Double?
    /// Days after the window that its outcomes keep arriving (a no-show, a callback, a review):
    /// the KPI follows the window's customers for this long, and the verdict waits for it.
    public var outcomeLagDays: Int = 0

    /// Creates a KPI.
    public init(name: String, kind: Kind, filter: Filter, better: Direction, rule: Rule?, maxIncrease: Double?) {
        self.name = name
        self.kind = kind
        self.filter = filter
        self.better = better
        self.rule = rule
        self.maxIncrease = maxIncrease
    }

    /// What a KPI measures.
    public enum Kind: Sendable, Equatable {
        /// Events in the window.
        case count(event: String)
        /// Events per day.
        case dailyCount(event: String)
        /// The share of `from` that reach `to` (per customer when events carry user_id).
        case conversion(from: String, to: String)
        /// `numerator` events per `denominator` event.
        case rate(numerator: String, denominator: String)
        /// The mean of `value` or `latency_ms`.
        case mean(event: String, of: Measure)
        /// A quantile (p in 0...1) of `value` or `latency_ms`.
        case quantile(event: String, of: Measure, p: Double)
        /// The share of events whose status starts with `error`.
        case errorRate(event: String)
        /// A Lua `compute(q)` function over a read-only query handle (`kpi.custom`).
        case custom(compute: LuaFunction)
    }

    /// The event names a built-in kind reads (none for a custom KPI).
    public var builtInEvents: [String] {
        switch kind {
        case .count(let event), .dailyCount(let event), .mean(let event, _), .quantile(let event, _, _), .errorRate(let event):
            [event]
        case .conversion(let from, let to): [from, to]
        case .rate(let numerator, let denominator): [numerator, denominator]
        case .custom: []
        }
    }

    /// The numeric field a mean or quantile reads.
    public enum Measure: String, Sendable, Equatable, CaseIterable {
        case value
        case latencyMs = "latency_ms"
    }

    /// Whether higher or lower is better.
    public enum Direction: String, Sendable, Equatable, CaseIterable {
        case higher, lower
    }

    /// Filters on the counted events, beyond the event names of the kind.
    public struct Filter: Sendable, Equatable {
        public var status: String?
        public var cohort: String?
        public var versionFlag: String?
        public var props: [String: String]

        public init(status: String? = nil, cohort: String? = nil, versionFlag: String? = nil, props: [String: String] = [:]) {
            self.status = status
            self.cohort = cohort
            self.versionFlag = versionFlag
            self.props = props
        }
    }
}

/// A pass rule, fixed before the experiment starts.
public indirect enum Rule: Sendable, Equatable, CustomStringConvertible {
    /// Relative lift of at least x (0.05 = 5%).
    case liftAtLeast(Double)
    /// Relative drop of at least x (for "p95 latency improves ≥ 10%").
    case dropAtLeast(Double)
    /// The treatment's value is at least v.
    case atLeast(Double)
    /// The treatment's value is at most v.
    case atMost(Double)
    /// Not worse than the control by more than the margin (absolute).
    case noWorseThan(Double)
    /// Every rule holds.
    case allOf([Rule])
    /// Some rule holds.
    case anyOf([Rule])

    /// The rule as the script wrote it.
    public var description: String {
        switch self {
        case .liftAtLeast(let x): "lift_at_least(\(x))"
        case .dropAtLeast(let x): "drop_at_least(\(x))"
        case .atLeast(let x): "at_least(\(x))"
        case .atMost(let x): "at_most(\(x))"
        case .noWorseThan(let x): "no_worse_than(\(x))"
        case .allOf(let rules): "all_of(\(rules.map(\.description).joined(separator: ", ")))"
        case .anyOf(let rules): "any_of(\(rules.map(\.description).joined(separator: ", ")))"
        }
    }
}

/// Safety limits for the first 72 hours.
public struct Safety: Sendable, Equatable {
    /// Hours after the start at which the limits are checked.
    public var checkHours: [Int]
    /// A check counts only with at least this many events.
    public var minimumEvents: Int
    /// What to do on the first breach.
    public var onBreach: SafetyAction
    /// What to do on a second breach.
    public var onSecondBreach: SafetyAction

    /// Creates safety limits.
    public init(checkHours: [Int], minimumEvents: Int, onBreach: SafetyAction, onSecondBreach: SafetyAction) {
        self.checkHours = checkHours
        self.minimumEvents = minimumEvents
        self.onBreach = onBreach
        self.onSecondBreach = onSecondBreach
    }

    /// The defaults: checks at 24, 48 and 72 hours, 30 events, throttle to 10%, then roll back.
    public static let standard = Safety(checkHours: [24, 48, 72], minimumEvents: 30, onBreach: .throttle(0.1), onSecondBreach: .rollback)
}

/// What a safety breach does to the flag.
public enum SafetyAction: Sendable, Equatable {
    /// Serve the change to this share of traffic.
    case throttle(Double)
    /// Turn the change off.
    case rollback
}

extension ExperimentDeclaration {
    /// The design in words, as `check` and the dashboard show it.
    public var designText: String {
        let percent = { (x: Double) in FigureText.percent(x, digits: 2, trimmed: true) }
        switch design {
        case .ab(let flag, let control, let treatment, let split):
            return "A/B on flag \(flag): \(control) vs \(treatment), \(percent(split)) treatment"
        case .beforeAfter(let weeks):
            return "before/after against the \(weeks) aligned week\(weeks == 1 ? "" : "s") before the start"
        case .switchback(let flag, let control, let treatment, let seed):
            return "switchback on flag \(flag): \(control)/\(treatment) by day (seed \(seed))"
        }
    }

    /// The sealed pass rule in an owner's words.
    public var ruleText: String {
        guard let rule = primary.rule else { return "no pass rule" }
        let how = confidence == .interval ? "its whole 95% interval" : "its estimate"
        return "PASS when \(primary.name) shows \(Verdict.ruleText(rule, primary)) (\(how)), and every guardrail holds; "
            + "if inconclusive: \(ifInconclusive.rawValue)"
    }

    /// Each guardrail's limit in words.
    public var limitTexts: [String] {
        guardrails.map { kpi in
            var parts: [String] = []
            if let limit = kpi.maxIncrease { parts.append("may rise at most \(kpi.shownMargin(limit))") }
            if let rule = kpi.rule { parts.append("must show \(Verdict.ruleText(rule, kpi))") }
            return "\(kpi.name) \(parts.joined(separator: " and "))"
        }
    }
}
