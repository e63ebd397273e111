import Foundation

/// The Lua fixture files of these tests.
enum Fixtures {
    static func url(_ path: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(path)
    }

    static func source(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }
}
