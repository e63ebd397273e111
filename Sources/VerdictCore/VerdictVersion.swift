/// The version of Verdict, as `verdict --version` prints it.
public enum VerdictVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
