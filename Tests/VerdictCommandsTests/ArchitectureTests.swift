import Foundation
import Testing
import VerdictTestSupport

/// The seams DESIGN.md draws, checked in the source: what each module imports is what
/// Package.swift declares, Core reads no process state, and shared mechanisms exist once.
@Suite struct ArchitectureTests {
    /// Module names a target's sources import (system modules left out).
    static func imports(of target: String, under folder: String = "Sources") throws -> Set<String> {
        let root = Repository.file("\(folder)/\(target)")
        let system: Set<String> = ["Foundation", "FoundationNetworking", "Dispatch", "Synchronization", "Testing", "Glibc"]
        var found = Set<String>()
        for case let file as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index <= 1, index + 1 < words.count else { continue }
                let module = String(words[index + 1])
                if !system.contains(module) { found.insert(module) }
            }
        }
        return found
    }

    /// The dependencies Package.swift declares for `target`, as module names.
    static func declared(_ target: String) throws -> Set<String> {
        let manifest = try String(contentsOf: Repository.file("Package.swift"), encoding: .utf8)
        let pattern = #"\.(target|executableTarget|testTarget)\(\s*name: ""# + target + "\""
        guard let start = manifest.range(of: pattern, options: .regularExpression) else { return [] }
        let rest = manifest[start.upperBound...]
        let end = rest.range(of: "\n        ),")?.lowerBound ?? rest.endIndex
        let body = rest[..<end]
        guard let list = body.range(of: "dependencies: [") else { return [] }
        var modules = Set<String>()
        var depth = 1
        var item = ""
        for character in body[list.upperBound...] {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1; if depth == 0 { break } }
            item.append(character)
        }
        for match in item.matches(of: /\.product\(name: "([^"]+)"|"([A-Za-z]+)"/) {
            if let product = match.output.1 { modules.insert(String(product)) } else if let name = match.output.2 { modules.insert(String(name)) }
        }
        // A product's module name where it differs (GRDB's products are modules of the same name).
        return modules.subtracting(["GRDB.swift", "swift-argument-parser", "swift-crypto", "hummingbird"])
    }

    @Test func eachModuleDeclaresWhatItImports() throws {
        let targets = ["VerdictScript", "VerdictStats", "VerdictStore", "VerdictCore", "VerdictDashboard", "VerdictServer", "VerdictCommands", "verdict"]
        for target in targets {
            let imported = try Self.imports(of: target)
            let declared = try Self.declared(target)
            #expect(imported == declared, "\(target) imports \(imported.sorted()) but declares \(declared.sorted())")
        }
    }

    @Test func theLayersKeepTheirPlaces() throws {
        #expect(try !Self.imports(of: "VerdictCommands").contains("VerdictStore"), "commands reach the store only through Core")
        for target in ["VerdictCore", "VerdictStore", "VerdictStats", "VerdictCommands"] {
            #expect(try !Self.imports(of: target).contains("CLua"), "\(target) must not import CLua")
        }
        for target in ["VerdictCore", "VerdictScript", "VerdictStats", "VerdictCommands"] {
            #expect(try !Self.imports(of: target).contains("GRDB"), "\(target) must not touch SQLite")
        }
    }

    /// Values in, HTML out: the dashboard module reads no store, no file and no clock.
    @Test func theDashboardModuleDoesNoIO() throws {
        #expect(try Self.imports(of: "VerdictDashboard") == ["VerdictCore"])
        let root = Repository.file("Sources/VerdictDashboard")
        for case let file as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for word in ["FileManager", "contentsOf:", ".write(", "Date()", "openStore", "Process(", "URLSession"] {
                #expect(!text.contains(word), "\(file.lastPathComponent) uses \(word)")
            }
        }
    }

    @Test func coreReadsNoProcessState() throws {
        let root = Repository.file("Sources/VerdictCore")
        for case let file as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            // The system clock itself is the one place that reads the time (VerdictClock.swift).
            #expect(file.lastPathComponent == "VerdictClock.swift" || !text.contains("Date()"), "\(file.lastPathComponent) reads the clock directly")
            #expect(!text.contains("processInfo.environment"), "\(file.lastPathComponent) reads the environment")
            #expect(!text.contains("CommandLine.arguments"), "\(file.lastPathComponent) reads the command line")
        }
    }

    @Test func hashAndGeneratorConstantsLiveOnce() throws {
        let constants = ["cbf29ce484222325", "cbf2_9ce4_8422_2325", "9e3779b97f4a7c15", "9e37_79b9_7f4a_7c15"]
        var places: [String] = []
        for folder in ["Sources"] {
            for case let file as URL in FileManager.default.enumerator(at: Repository.file(folder), includingPropertiesForKeys: nil)!
            where ["swift", "c", "h"].contains(file.pathExtension) {
                let text = try String(contentsOf: file, encoding: .utf8).lowercased()
                if constants.contains(where: { text.contains($0) }) { places.append(file.lastPathComponent) }
            }
        }
        #expect(places == ["verdict_hash.h"], "FNV-1a or SplitMix64 written again in \(places)")
    }
}
