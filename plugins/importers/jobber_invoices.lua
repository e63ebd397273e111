-- Importer: Jobber's Invoices export. Each paid invoice gives `invoice_paid` at its
-- `Marked paid date` with value `Total ($)`; an invoice not yet paid gives nothing. Event ids
-- come from the invoice number (`jobber-invoice-1042-paid`). See docs/importers.md.
local exports = require "verdict.exports"
local when = exports.times(local_timestamp, date_order())

return importer {
  description = "Jobber Invoices export (Invoice #, Client name, Marked paid date, Total ($), ...)",
  columns = { "Invoice #", "Client name", "Marked paid date", "Total ($)" },
  known = {
    "Client email", "Client phone", "Billing street", "Billing city", "Billing province", "Billing ZIP",
    "Service street", "Service city", "Service province", "Service ZIP", "Subject", "Status", "Line items",
    "Salesperson", "Visits assigned to", "Job #s", "Pre-tax total ($)", "Tip ($)", "Balance ($)", "Tax (%)",
    "Tax amount ($)", "Deposit $", "Discount ($)", "Created date", "Issued date", "Due date", "Last contacted",
    "Late by", "Days to paid",
  },
  map = function(row)
    local invoice = exports.text(row["Invoice #"])
    if not invoice then error("Invoice #: the invoice has no number", 0) end
    local paid = when(row, "Marked paid date")
    if not paid then return nil end
    local jobs = exports.list(row["Job #s"])
    return {
      event = "invoice_paid", timestamp = paid, user_id = exports.text(row["Client name"]),
      value = exports.money(row["Total ($)"], "Total ($)"), event_id = "jobber-invoice-" .. invoice .. "-paid",
      props = {
        invoice = invoice,
        job = jobs[1],
        zip = exports.text(row["Service ZIP"]),
        crew = exports.text(row["Visits assigned to"]),
        salesperson = exports.text(row.Salesperson),
        days_to_paid = exports.text(row["Days to paid"]),
      },
    }
  end,
}
