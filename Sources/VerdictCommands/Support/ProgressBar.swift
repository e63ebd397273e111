import Foundation
import VerdictCore

/// A progress bar with rate and time left, on standard error, only when it is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let started = Date()
    private var lastDrawn = Date.distantPast
    private let lock = NSLock()
    private var drawn = false
    let isEnabled: Bool

    init(label: String) {
        self.label = label
        isEnabled = isatty(STDERR_FILENO) != 0
    }

    func update(_ progress: IngestProgress) {
        guard isEnabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.1 else { return }
        lastDrawn = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(progress.bytesRead) / elapsed
        var line = "\(label) \(Self.megabytes(Double(progress.bytesRead)))"
        if let total = progress.totalBytes, total > 0 {
            let fraction = min(1, Double(progress.bytesRead) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            let left = rate > 0 ? Double(total - progress.bytesRead) / rate : 0
            line = "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] "
                + "\(Int(fraction * 100))%  \(Self.megabytes(rate))/s  ETA \(Int(left.rounded()))s"
        } else {
            line += "  \(Self.megabytes(rate))/s"
        }
        Terminal.write("\r\u{1B}[K" + line, to: .error)
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { Terminal.write("\r\u{1B}[K", to: .error) }
    }

    private static func megabytes(_ bytes: Double) -> String {
        String(format: "%.1f MB", bytes / 1_000_000)
    }
}
