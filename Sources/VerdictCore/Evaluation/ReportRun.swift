import Dispatch
import Foundation
import Synchronization
import VerdictScript
import VerdictStore

/// One experiment evaluated over a window: its report and, when asked, its KPIs day by day.
public struct EvaluatedExperiment: Sendable {
    /// The declaration it was evaluated from.
    public var declaration: ExperimentDeclaration
    /// The report: every KPI per arm, SRM, the verdict.
    public var report: ExperimentReport
    /// Per KPI (in the report's order), its figures day by day; empty unless asked for.
    public var days: [[(day: LocalDay, result: KPIResult)]]
}

/// Evaluates several experiments in one run (`verdict report NAME... | --all`), sharing the
/// store and the sandbox, and as fast as both allow.
public enum ReportRun {
    /// Each loaded experiment's evaluation over `from`...`to` (else its own declared window from
    /// `from`), in the order given; a script that failed to load keeps its error.
    ///
    /// Experiments without custom KPIs are evaluated two at a time (each read is SQLite's alone);
    /// those with custom KPIs run Lua in `sandbox`, where their functions live, one at a time.
    public static func evaluate(
        _ experiments: [(file: URL, result: Result<ExperimentDeclaration, ScriptError>)], sandbox: LuaSandbox?,
        workspace: Workspace, from start: LocalDay, to end: LocalDay?, daily: Bool
    ) throws(StoreError) -> [Result<EvaluatedExperiment, any Error>] {
        let store = try workspace.openStore()
        let settings = workspace.settings
        let declarations = experiments.map { try? $0.result.get() }
        let outcomes = Mutex([Result<EvaluatedExperiment, any Error>?](repeating: nil, count: experiments.count))
        let parallel = declarations.indices.filter { declarations[$0].map { !$0.hasCustomKPIs } ?? false }
        DispatchQueue.concurrentPerform(iterations: parallel.count) { slot in
            let index = parallel[slot]
            let outcome = Result { () throws -> EvaluatedExperiment in
                try evaluate(declarations[index]!, store: store, settings: settings, sandbox: nil, from: start, to: end, daily: daily)
            }
            outcomes.withLock { $0[index] = outcome }
        }
        return experiments.enumerated().map { index, experiment in
            if let done = outcomes.withLock({ $0[index] }) { return done }
            return Result { () throws -> EvaluatedExperiment in
                try evaluate(experiment.result.get(), store: store, settings: settings, sandbox: sandbox, from: start, to: end, daily: daily)
            }
        }
    }

    static func evaluate(
        _ declaration: ExperimentDeclaration, store: EventStore, settings: WorkspaceSettings, sandbox: LuaSandbox?,
        from start: LocalDay, to end: LocalDay?, daily: Bool
    ) throws -> EvaluatedExperiment {
        let end = end ?? LocalDay(number: start.number + Int32(declaration.windowDays) - 1)
        let evaluator = Evaluator(store: store, declaration: declaration, settings: settings, sandbox: sandbox)
        guard daily else { return EvaluatedExperiment(declaration: declaration, report: try evaluator.report(from: start, to: end), days: []) }
        let kpis: [(KPI, KPIResult.Role)] = [(declaration.primary, .primary), (declaration.leading, .leading)]
            + declaration.guardrails.map { ($0, .guardrail) }
        let (report, days) = try evaluator.reportWithDays(from: start, to: end, days: kpis)
        return EvaluatedExperiment(declaration: declaration, report: report, days: days)
    }
}

extension ExperimentDeclaration {
    /// Whether a KPI is computed by a Lua function.
    public var hasCustomKPIs: Bool {
        kpis.contains { if case .custom = $0.kind { true } else { false } }
    }
}
