import VerdictScript

/// A KPI that reads an event name the store has never seen: most often a typo
/// (`appointment_noshow` for `appointment_no_show`), which would otherwise read as a sample of 0.
/// A finding, not an error: `check` warns, and a report says it in place of a statistical reason.
public struct UnknownEventName: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The KPI's name.
    public var kpi: String
    /// The part it plays (`primary`, `leading`, `guardrail`).
    public var role: String
    /// The event name no stored event has.
    public var event: String
    /// The closest stored names, closest first.
    public var closest: [String]

    /// Reads as a sentence: `there are no events named "x" (the closest stored names: a, b, c)`.
    public var description: String {
        "\(role) \(kpi): there are no events named \"\(event)\""
            + (closest.isEmpty ? "" : " (the closest stored names: \(closest.joined(separator: ", ")))")
    }

    /// Every built-in KPI's event name in `declaration` that is not among `stored`. Custom KPIs
    /// read names inside Lua, so they are not checked. With no stored events at all nothing can
    /// be told, and nothing is reported.
    public static func find(in declaration: ExperimentDeclaration, stored: [String]) -> [UnknownEventName] {
        guard !stored.isEmpty else { return [] }
        let known = Set(stored)
        var found: [UnknownEventName] = []
        let roles = [("primary", declaration.primary), ("leading", declaration.leading)] + declaration.guardrails.map { ("guardrail", $0) }
        for (role, kpi) in roles {
            for event in kpi.builtInEvents where !known.contains(event) {
                if found.contains(where: { $0.kpi == kpi.name && $0.event == event }) { continue }
                found.append(UnknownEventName(kpi: kpi.name, role: role, event: event, closest: closestMatches(to: event, in: stored)))
            }
        }
        return found
    }
}
