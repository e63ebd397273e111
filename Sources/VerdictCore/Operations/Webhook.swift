import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Posts a text to a chat webhook as Slack-compatible JSON (`{"text": "..."}`), which Slack,
/// Mattermost, Rocket.Chat and Discord's Slack endpoint accept.
enum Webhook {
    /// Posts `text` to `url`; returns `sent`, or why it was not (a failure is a finding, not an
    /// error: the run's work is done either way).
    static func post(_ text: String, to url: String, timeout: Double = 10) -> String {
        guard let target = URL(string: url) else { return "not sent: \(url) is not a URL" }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try? JSONSerialization.data(withJSONObject: ["text": text])
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error {
                outcome.set("not sent: \(error.localizedDescription)")
            } else if let status = (response as? HTTPURLResponse)?.statusCode, !(200..<300).contains(status) {
                outcome.set("not sent: the webhook answered HTTP \(status)")
            } else {
                outcome.set("sent")
            }
            done.signal()
        }.resume()
        if done.wait(timeout: .now() + timeout + 1) == .timedOut { return "not sent: no answer within \(Int(timeout)) s" }
        return outcome.value
    }

    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var stored = "not sent"

        func set(_ text: String) { lock.withLock { stored = text } }
        var value: String { lock.withLock { stored } }
    }
}
