/// The event names of a contractor's business, written once: the bundled importers, the
/// webhook mappings, the templates and the dashboard's direct-to-consumer band use these, and
/// docs/events.md lists them (a test holds the two together).
public enum EventVocabulary {
    /// One name: what it is called, when it happens, and what its `value` holds, if anything.
    public struct Name: Sendable, Equatable {
        public let name: String
        public let when: String
        public let value: String?
    }

    public static let callReceived = "call_received"
    public static let callAnswered = "call_answered"
    public static let formSubmitted = "form_submitted"
    public static let quoteSent = "quote_sent"
    public static let quoteApproved = "quote_approved"
    public static let appointmentBooked = "appointment_booked"
    public static let appointmentCanceled = "appointment_canceled"
    public static let appointmentDue = "appointment_due"
    public static let noShow = "no_show"
    public static let jobCompleted = "job_completed"
    public static let invoicePaid = "invoice_paid"
    public static let callback = "callback"
    public static let reviewReceived = "review_received"

    /// Every name, in the order of a job: the lead, the quote, the visit, the money, what follows.
    public static let names: [Name] = [
        Name(name: callReceived, when: "a call reached a tracked number (answered or not)", value: "the call's value, when the tracker sets one"),
        Name(name: callAnswered, when: "someone at the shop answered that call", value: nil),
        Name(name: formSubmitted, when: "a customer sent a request or contact form", value: nil),
        Name(name: quoteSent, when: "a quote went to the customer", value: "the quote's total"),
        Name(name: quoteApproved, when: "the customer approved the quote", value: "the quote's total"),
        Name(name: appointmentBooked, when: "a visit or job was booked (the appointment exists)", value: nil),
        Name(name: appointmentCanceled, when: "a booked visit was canceled, by the customer or the shop", value: nil),
        Name(
            name: appointmentDue, when: "a booked visit's own date and time came, whatever became of it (done, missed or canceled)",
            value: nil),
        Name(name: noShow, when: "the crew came and nobody was there, or the customer missed the slot", value: nil),
        Name(name: jobCompleted, when: "the work was done and the job closed", value: "the job's revenue"),
        Name(name: invoicePaid, when: "the invoice was marked paid", value: "the amount paid"),
        Name(name: callback, when: "the customer needed a second visit for the same work", value: nil),
        Name(name: reviewReceived, when: "the customer left a review", value: "the rating, when there is one"),
    ]

    /// Whether `name` is one of the vocabulary's.
    public static func contains(_ name: String) -> Bool { names.contains { $0.name == name } }
}
