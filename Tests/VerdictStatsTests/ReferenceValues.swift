import Foundation
import Testing

/// The values scipy, statsmodels and gbstats computed (Fixtures/make_reference.py).
enum ReferenceValues {
    /// Each section's cases, every field a number (Double).
    static let sections: [String: [[String: Double]]] = load("reference.json")

    /// The one-arm intervals' cases (Fixtures/make_interval_reference.py).
    static let intervals: [String: [[String: Double]]] = load("intervals.json")

    static func load(_ file: String) -> [String: [[String: Double]]] {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/\(file)")
        let data = try! Data(contentsOf: url)
        let all = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        return all.compactMapValues { value in
            (value as? [[String: Any]])?.map { row in
                var numbers: [String: Double] = [:]
                for (key, field) in row {
                    if let number = field as? NSNumber {
                        numbers[key] = number.doubleValue
                    } else if let list = field as? [NSNumber] {  // lists become name.0, name.1, ...
                        for (index, item) in list.enumerated() { numbers["\(key).\(index)"] = item.doubleValue }
                    }
                }
                return numbers
            }
        }
    }

    static func cases(_ name: String) -> [[String: Double]] {
        sections[name] ?? []
    }
}

/// `actual` matches `expected`: relative error under 1e-6, or (for values near zero, such as
/// p-values far in a tail) absolute error under `absolute`.
func expectClose(
    _ actual: Double, _ expected: Double, relative: Double = 1e-6, absolute: Double = 1e-300, _ what: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if actual == expected { return }
    let error = abs(actual - expected)
    let ok = error <= absolute || error <= relative * abs(expected)
    #expect(ok, "\(what()): \(actual) vs reference \(expected) (relative error \(error / max(abs(expected), 1e-300)))", sourceLocation: sourceLocation)
}
