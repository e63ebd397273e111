import VerdictStore

/// `verdict quarantine --raw`: the rows as a file that ingests again.
enum QuarantineExport {
    /// The rows come from sources that cannot make one file.
    public struct MixedSources: Error, CustomStringConvertible {
        /// Which sources, and what to do.
        public var description: String
    }

    /// JSON lines as they arrived; CSV rows under the header of their source, which must be one
    /// header for all of them.
    static func raw(_ entries: [QuarantineEntry]) throws -> String {
        let formats = Set(entries.map { $0.format == "jsonl" ? "jsonl" : "csv" })
        let headers = Set(entries.compactMap(\.header))
        guard formats.count <= 1, headers.count <= 1 else {
            let sources = Set(entries.map(\.row.source)).sorted().joined(separator: ", ")
            throw MixedSources(
                description: "the quarantined rows come from files of different formats or columns (\(sources)), "
                    + "which cannot make one file; choose one with --batch N or --source FILE")
        }
        var out = headers.first.map { $0 + "\n" } ?? ""
        for entry in entries {
            out += entry.row.raw
            if !entry.row.raw.hasSuffix("\n") { out += "\n" }
        }
        return out
    }
}
