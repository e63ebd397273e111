import Foundation

/// The repository the tests run from: its `plugins/`, `experiments/` and `docs/`.
public enum Repository {
    /// The repository's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A file of the repository, by its path from the root.
    public static func file(_ path: String) -> URL { root.appendingPathComponent(path) }
}
