import Crypto
import Foundation

/// The experiment templates that ship with Verdict (`experiments/templates/`), and making a new
/// experiment from one (`verdict new`).
public struct ExperimentTemplates: Sendable {
    /// One template.
    public struct Template: Sendable, Equatable {
        /// Its name (`conversion`).
        public var name: String
        /// The one-line summary from its first comment.
        public var summary: String
        /// Its file.
        public var file: URL
    }

    /// The folder the templates are in.
    public let folder: URL

    /// Templates from `folder`.
    public init(folder: URL) {
        self.folder = folder
    }

    /// Every template, by name.
    public func list() -> [Template] {
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "lua" }.sorted { $0.lastPathComponent < $1.lastPathComponent }.map { file in
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            let first = text.split(separator: "\n").first.map(String.init) ?? ""
            var summary = first.hasPrefix("-- Template:") ? String(first.dropFirst("-- Template:".count)) : first
            summary = summary.trimmingCharacters(in: .whitespaces)
            if let stop = summary.firstIndex(of: ".") { summary = String(summary[..<stop]) }
            return Template(name: file.deletingPathExtension().lastPathComponent, summary: summary, file: file)
        }
    }

    /// Copies template `template` to `experiments/NAME.lua` with `changeID` (else the next free
    /// one) and today's date; returns the new file and its change_id. With `recordedBy`, the
    /// creation goes on the audit trail (`create`, with the script's path, the template and the
    /// SHA-256 of the text written), or the file is not kept.
    public func create(
        _ name: String, from template: String, in workspace: Workspace, today: LocalDay, changeID chosenID: String? = nil,
        recordedBy recorder: (actor: String, clock: any VerdictClock)? = nil
    ) throws(WorkspaceError) -> (file: URL, changeID: String) {
        guard !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw .io("\"\(name)\" is not an experiment name; use letters, digits, - and _ (such as book-now)")
        }
        guard let chosen = list().first(where: { $0.name == template }) else {
            let names = list().map(\.name).joined(separator: ", ")
            throw .io("there is no template \"\(template)\"; the templates are: \(names) (verdict new --list)")
        }
        let file = workspace.experimentsFolder.appendingPathComponent(name + ".lua")
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw .io("\(workspace.relativePath(of: file)) already exists; choose another name")
        }
        let changeID: String
        if let chosenID {
            guard !chosenID.isEmpty, chosenID.count <= 64,
                chosenID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
            else {
                throw .io("\"\(chosenID)\" is not a change_id; use letters, digits, -, _ and . (such as CHG-0007)")
            }
            if let user = Self.file(declaring: chosenID, in: workspace) {
                throw .io("\(chosenID) is already the change_id of \(workspace.relativePath(of: user)); each change needs its own")
            }
            changeID = chosenID
        } else {
            changeID = Self.nextChangeID(in: workspace)
        }
        guard var text = try? String(contentsOf: chosen.file, encoding: .utf8) else {
            throw .io("cannot read the template \(chosen.file.lastPathComponent)")
        }
        text = text.replacingOccurrences(
            of: #"change_id\s*=\s*"[^"]*""#, with: "change_id  = \"\(changeID)\"", options: .regularExpression)
        text = "-- \(name): created \(today) from the \(template) template.\n" + text
        do {
            try FileManager.default.createDirectory(at: workspace.experimentsFolder, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw .cannotWrite(workspace.relativePath(of: file), at: file, error)
        }
        if let recorder {
            do {
                try AuditTrail(workspace: workspace).append(
                    at: recorder.clock.nowMilliseconds(), changeID: changeID, actor: recorder.actor, action: "create",
                    details: CreateDetails(
                        script: workspace.relativePath(of: file), template: template, sha256: lowercaseHex(SHA256.hash(data: Data(text.utf8)))))
            } catch {
                try? FileManager.default.removeItem(at: file)
                throw .io("\(workspace.relativePath(of: file)) was not created: \(error)")
            }
        }
        return (file, changeID)
    }

    /// The experiment script whose text declares `changeID`, if any.
    static func file(declaring changeID: String, in workspace: Workspace) -> URL? {
        let needle = try! NSRegularExpression(
            pattern: #"change_id\s*=\s*""# + NSRegularExpression.escapedPattern(for: changeID) + "\"")
        return ExperimentLoader(workspace: workspace).scripts().first { file in
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { return false }
            return needle.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }

    /// `CHG-NNNN` one above the highest in the workspace's experiments (CHG-0001 for the first).
    static func nextChangeID(in workspace: Workspace) -> String {
        let pattern = try! NSRegularExpression(pattern: #"change_id\s*=\s*"CHG-(\d+)""#)
        var highest = 0
        for file in ExperimentLoader(workspace: workspace).scripts() {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text), let number = Int(text[range]) {
                    highest = max(highest, number)
                }
            }
        }
        let next = String(highest + 1)
        return "CHG-" + String(repeating: "0", count: max(0, 4 - next.count)) + next
    }
}

/// A `create` record's details.
struct CreateDetails: Encodable, Sendable {
    var script: String
    var template: String
    var sha256: String
}
