import Foundation
import VerdictStats

/// What the daily dashboard shows, as plain values: every figure, label and judgement computed
/// here, once, so that the page (VerdictDashboard), the CLI and the server show the same ones.
/// The page only lays them out.
public struct Dashboard: Sendable {
    /// The business the workspace belongs to.
    public var business: String
    /// The local date the page is for (`dashboards/DATE.html`).
    public var date: String
    /// When it was refreshed, in local time with the zone (`2026-11-10 06:00 CST`).
    public var refreshedAt: String
    /// The audit trail's head (`SEQ:HASH`), so a printed page can be checked later.
    public var auditHead: String?
    /// The direct-to-consumer jobs of the week before `date` against the week before that.
    public var impact: Impact
    /// Every started experiment, newest first.
    public var changes: [Change]
    /// Every cohort any change declares, for the cohort filter.
    public var cohorts: [String]
    /// Experiments that could not be shown (a sealed script that no longer loads, a store
    /// error), with why.
    public var failures: [RunAllSummary.Failure]

    /// A change's chip: what a glance at the top of the page tells.
    public struct Chip: Sendable, Equatable {
        /// What it is: running, throttled, pass, fail, inconclusive, kept, rolled_back.
        public var tone: Tone
        /// The words on it, first the state (`running day 3 of 7`, `throttled to 10%`, `PASS`).
        public var label: String
        /// The recommendation or the decision, when there is one (`keep`, `rollback`,
        /// `awaiting decision`).
        public var detail: String?

        public enum Tone: String, Sendable, Equatable {
            case running, throttled, pass, fail, inconclusive, rolledBack = "rolled_back"
        }
    }

    /// How a decided change turned out, for the history's filter.
    public enum Outcome: String, Sendable, Equatable, CaseIterable {
        /// Its verdict was a pass.
        case won
        /// Its verdict was a fail, or a safety check rolled it back.
        case lost
        /// Neither: the owner decided on the recommendation, or early.
        case inconclusive
    }

    /// One started experiment.
    public struct Change: Sendable {
        public var status: ExperimentStatus
        public var hypothesis: String
        /// The design in words (`A/B on flag book_now_button: off vs on, 50% treatment`).
        public var design: String
        /// The sealed pass rule in words.
        public var rule: String
        /// Each guardrail's limit in words.
        public var limits: [String]
        public var cohorts: [String]
        public var chip: Chip
        /// For a decided change.
        public var outcome: Outcome?
        /// The KPI figures for every customer, then per declared cohort: what the cohort
        /// filter switches between.
        public var figures: [FigureSet]
        /// The primary KPI and the leading indicator day by day.
        public var primary: Series?
        public var leading: Series?
        public var guardrails: [Guardrail]
        /// The safety checks done and to come, and the flag's changes, in time order.
        public var timeline: [TimelineMark]
        /// SRM and other health warnings, in words.
        public var warnings: [String]
        /// The verdict: the recorded one, else the figures so far (`recorded` false).
        public var verdict: VerdictSummary?
        /// The owner's decisions, oldest first.
        public var decisions: [DecisionSummary]
        /// What keeping it is worth in money, and how fast customers felt it and it recovered,
        /// each in one sentence.
        public var outcomes: [String] = []
        /// What the owner can decide now, as `verdict decide` would take it (the live page offers
        /// these to someone signed in with an admin token).
        public var choices: DecisionChoices = DecisionChoices(decisions: [], early: false, noteNeeded: false)
        /// This change's records on the audit trail.
        public var audit: [AuditLine]
    }

    /// One table of KPI figures: for every customer the change targets, or one cohort.
    public struct FigureSet: Sendable {
        /// The cohort filter values it answers: `all` and, when the change declares a single
        /// cohort, that cohort too (its figures are that cohort's).
        public var cohorts: [String]
        public var caption: String
        public var rows: [FigureRow]
    }

    /// One KPI's figures, as numbers (the same as `report --json`) and as the report shows them.
    public struct FigureRow: Sendable {
        public var kpi: String
        public var role: String
        public var control: Double?
        public var treatment: Double?
        public var controlN: Int
        public var treatmentN: Int
        public var relative: Double?
        public var low: Double?
        public var high: Double?
        public var pValue: Double?
        public var controlText: String
        public var treatmentText: String
        /// `+12.0% (−3.1% to +29.8%)`, or why there is no interval.
        public var changeText: String
    }

    /// A KPI's per-arm values day by day, with each arm's value over the days so far and its
    /// interval (the band).
    public struct Series: Sendable {
        public var kpi: String
        /// How values read (`rate`, `count`, `number`), for the axis.
        public var unit: Unit
        public var days: [Point]
        public var control: Band?
        public var treatment: Band?

        public enum Unit: String, Sendable { case rate, count, number }

        public struct Point: Sendable {
            public var day: String
            public var control: Double?
            public var treatment: Double?
            public var controlN: Int
            public var treatmentN: Int
            /// The values as reports show them (`21.4%`, `3.0/day`).
            public var controlText: String
            public var treatmentText: String
        }

        public struct Band: Sendable {
            public var value: Double
            public var low: Double
            public var high: Double
            public var text: String
        }
    }

    /// A guardrail's change against its limit.
    public struct Guardrail: Sendable {
        public var kpi: String
        /// Treatment minus control and its interval, in the KPI's own units.
        public var change: Double?
        public var low: Double?
        public var high: Double?
        /// How much it may rise (nil: a rule instead).
        public var limit: Double?
        /// True holds, false breaks, nil cannot tell yet.
        public var holds: Bool?
        /// The change and the limit in words (`+0.4 pp (−1.2 pp to +2.0 pp), limit +0.5 pp`).
        public var text: String
    }

    /// A point on the safety timeline, in hours from the start.
    public struct TimelineMark: Sendable {
        public var hour: Double
        public var kind: Kind
        /// Local time and what happened, in words.
        public var text: String

        public enum Kind: String, Sendable {
            /// A check that passed, found a breach, was overtaken, or is still to come.
            case ok, breach, overtaken, scheduled
            /// The flag was throttled, rolled back, scaled back up, kept.
            case throttle, rollback, scale, keep
        }
    }

    /// The verdict with what backs it: no claim without its interval, sample and MDE.
    public struct VerdictSummary: Sendable {
        /// pass, fail or inconclusive.
        public var outcome: String
        public var reason: String
        /// Whether it is on the record (else: the figures so far, while the window runs).
        public var recorded: Bool
        /// When it was recorded (UTC), and over which local days.
        public var recordedAt: String?
        public var window: String
        public var primary: String
        /// The primary's relative change and its interval.
        public var relative: Double?
        public var low: Double?
        public var high: Double?
        public var controlN: Int
        public var treatmentN: Int
        public var mde: Double?
        /// The relative change and its interval in words (`+12.0% (−3.1% to +29.8%)`).
        public var changeText: String
        /// keep, rollback or extend, and why.
        public var recommendation: String
        public var recommendationReason: String
    }

    public struct DecisionSummary: Sendable {
        public var decision: String
        public var at: String
        public var actor: String
        public var note: String
        public var early: Bool
    }

    /// One audit record in words.
    public struct AuditLine: Sendable {
        public var seq: Int64
        public var at: String
        public var actor: String
        public var action: String
        public var summary: String
        public var hash: String
    }

    /// The week's direct-to-consumer jobs against the week before.
    public struct Impact: Sendable {
        /// The week (local days, inclusive) and the one before it.
        public var week: String
        public var before: String
        public var metrics: [Metric]
        /// The changes that ran during the week.
        public var running: [String]

        public struct Metric: Sendable {
            /// jobs booked, jobs completed, revenue.
            public var name: String
            /// The event it counts (and for revenue, whose value it adds).
            public var event: String
            public var week: Double
            public var before: Double
            /// Week / before - 1, with its interval; nil without events in both weeks.
            public var change: Double?
            public var low: Double?
            public var high: Double?
            public var weekText: String
            public var beforeText: String
            /// The change and its interval in words, or why there is none.
            public var changeText: String
        }
    }
}

/// The decisions a change's state allows now, from the transition table: keep, rollback,
/// extend, whichever apply; whether deciding now is early (inside the window); whether a note is
/// needed (early, or rolling back a kept change).
public struct DecisionChoices: Sendable, Equatable {
    public var decisions: [String]
    public var early: Bool
    public var noteNeeded: Bool

    public init(decisions: [String], early: Bool, noteNeeded: Bool) {
        self.decisions = decisions
        self.early = early
        self.noteNeeded = noteNeeded
    }

    /// For a change in `state` (its flag throttled or not) on local day `date`, whose window ends
    /// on `windowEnd`.
    public init(state: ExperimentState, flagThrottled: Bool, date: LocalDay, windowEnd: LocalDay) {
        let allowed = LifecycleTable.allowedByHand(from: state, flagThrottled: flagThrottled)
        decisions = [LifecycleAction.keep, .rollback, .extend].filter(allowed.contains).map(\.rawValue)
        early = state.isLive && date.number <= windowEnd.number
        noteNeeded = early || state.isServedAfterDecision
    }
}
