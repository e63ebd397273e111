import Foundation
@testable import VerdictCore
import VerdictTestSupport

/// Workspaces in Core tests use the repository's plugin library and templates, as a build in
/// the repository does.
extension BundledLibrary {
    static let inRepository: Result<BundledLibrary, BundledLibrary.NotFound> = .success(.repository(at: Repository.root))
}

extension WorkspaceInitializer {
    static func create(at folder: URL, business: String, timeZone: String?) throws -> Workspace {
        try create(at: folder, business: business, timeZone: timeZone, library: BundledLibrary.inRepository)
    }
}

extension Workspace {
    init(root: URL) throws {
        try self.init(root: root, library: BundledLibrary.inRepository)
    }
}
