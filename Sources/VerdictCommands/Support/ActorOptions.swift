import ArgumentParser
import Foundation

/// `--actor`, for every command that writes to the audit trail.
struct ActorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who does this, for the audit trail (default: VERDICT_ACTOR, else the system user).", valueName: "name"))
    var actor: String?

    /// `--actor`, then VERDICT_ACTOR, then the user the process runs as.
    func resolve() -> String {
        let environment = ProcessInfo.processInfo.environment
        for candidate in [actor, environment["VERDICT_ACTOR"], environment["USER"], environment["LOGNAME"]] {
            if let name = candidate?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty { return name }
        }
        if let name = getpwuid(getuid())?.pointee.pw_name { return String(cString: name) }
        return "unknown"
    }
}
