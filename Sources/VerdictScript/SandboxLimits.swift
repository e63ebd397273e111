/// The resources one call into a script may use.
///
/// The limits apply to each top-level call (loading a script, calling a KPI function) and are
/// reset before the next one. A script that exceeds one fails with a `ScriptError` whose kind
/// names the limit; the sandbox stays usable.
public struct SandboxLimits: Sendable, Equatable {
    /// The most memory the Lua state may hold while the script runs, in bytes.
    public var memoryBytes: Int
    /// The most Lua VM instructions (and pattern-matching steps) one call may run.
    public var instructions: UInt64
    /// The longest one call may run, in seconds of wall-clock time.
    public var seconds: Double

    /// Creates limits.
    public init(memoryBytes: Int, instructions: UInt64, seconds: Double) {
        self.memoryBytes = memoryBytes
        self.instructions = instructions
        self.seconds = seconds
    }

    /// 64 MB, 200 million instructions, 5 seconds: far above what a declaration or a KPI needs,
    /// far below what would stall a morning run.
    public static let standard = SandboxLimits(memoryBytes: 64 << 20, instructions: 200_000_000, seconds: 5)
}
