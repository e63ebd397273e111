import Foundation
import VerdictStats
import VerdictStore

/// What keeping a change is worth in money, from the value its customers brought (`job_completed`
/// and `invoice_paid` events' `value`): the effect per customer by Welch's t on each customer's
/// total, at the month's customers, with its interval, and less the expected loss of keeping
/// (issue 24, item 13; docs/report-json.md).
public struct ValueEffect: Encodable, Sendable, Equatable {
    /// The events whose `value` is money the change may move.
    public static let events = ["job_completed", "invoice_paid"]
    /// The workspace's currency (Verdict's users bill in US dollars).
    public var currency = "USD"
    /// Treatment − control, per customer, in the window.
    public var perCustomer: Double
    /// Customers a month at the window's pace, both arms together (all of them would get a kept change).
    public var customersPerMonth: Double
    /// The expected effect on revenue per month of keeping the change, with its 95% interval.
    public var expectedMonthly: Double
    public var interval: [Double]
    /// The expected effect less the expected loss of keeping (E[max(0, −effect)] under the
    /// same t distribution, at the month's customers): what keeping is worth, its risk paid for.
    public var riskAdjustedMonthly: Double

    enum CodingKeys: String, CodingKey {
        case currency, interval
        case perCustomer = "per_customer", customersPerMonth = "customers_per_month", expectedMonthly = "expected_monthly"
        case riskAdjustedMonthly = "risk_adjusted_monthly"
    }

    /// From each arm's customers' totals over `days` days; nil without two customers in each arm
    /// or without any value in either.
    public static func make(control: Moments, treatment: Moments, days: Int, alpha: Double = 0.05) -> ValueEffect? {
        guard control.n > 1, treatment.n > 1, days > 0, control.sum != 0 || treatment.sum != 0 else { return nil }
        func summary(_ m: Moments) -> ArmSummary {
            let n = Double(m.n), mean = m.sum / n
            return ArmSummary(n: m.n, mean: mean, variance: max(0, (m.sumOfSquares - n * mean * mean) / (n - 1)))
        }
        guard let difference = Compare.meanDifference(control: summary(control), treatment: summary(treatment), alpha: alpha),
            let dof = difference.degreesOfFreedom, difference.standardError > 0,
            let loss = StudentT(degreesOfFreedom: dof).positivePart(shift: -difference.value / difference.standardError)
        else { return nil }
        let perMonth = Double(control.n + treatment.n) / Double(days) * 30
        let expected = difference.value * perMonth
        return ValueEffect(
            perCustomer: difference.value, customersPerMonth: perMonth, expectedMonthly: expected,
            interval: [difference.low * perMonth, difference.high * perMonth],
            riskAdjustedMonthly: expected - difference.standardError * loss * perMonth)
    }

    /// The sentence an owner reads.
    public var sentence: String {
        let signed = { (x: Double) in x < 0 ? "-" + FigureText.dollars(-x) : "+" + FigureText.dollars(x) }
        return "keeping it is worth an expected \(signed(expectedMonthly)) a month in job and invoice value "
            + "(95% interval \(signed(interval[0])) to \(signed(interval[1])), at about \(Int(customersPerMonth.rounded())) customers a month); "
            + "less the risk of keeping it, \(signed(riskAdjustedMonthly))"
    }
}
