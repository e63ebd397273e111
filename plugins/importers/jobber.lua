-- Importer: Jobber's Jobs export (Reports → Jobs → Export). Each job gives `appointment_booked`
-- at its `Created date` and, once closed, `job_completed` at its `Closed date` with value
-- `Total revenue ($)`. Event ids come from the job number (`jobber-job-5201-booked`), the ids
-- the Quotes importer and Jobber's webhooks give the same job, so overlapping exports store
-- each event once. Custom fields become props. See docs/importers.md.
local exports = require "verdict.exports"
local when = exports.times(local_timestamp, date_order())

return importer {
  description = "Jobber Jobs export (Job #, Client name, Created date, Closed date, Total revenue ($), ...)",
  columns = { "Job #", "Client name", "Created date", "Closed date", "Total revenue ($)" },
  known = {
    "Client email", "Client phone", "Billing street", "Billing city", "Billing province", "Billing ZIP",
    "Service street", "Service city", "Service province", "Service ZIP", "Title", "Scheduled start date",
    "Salesperson", "Visits assigned to", "Line items", "Invoice #s", "Quote #", "Total costs ($)", "Profit ($)",
    "Profit %", "Quote discount ($)",
  },
  map = function(row)
    local job = exports.text(row["Job #"])
    if not job then error("Job #: the job has no number", 0) end
    local props = {
      job = job,
      title = exports.text(row.Title),
      zip = exports.text(row["Service ZIP"]),
      city = exports.text(row["Service city"]),
      crew = exports.text(row["Visits assigned to"]),
      salesperson = exports.text(row.Salesperson),
    }
    local customer = exports.text(row["Client name"])
    local events = {
      { event = "appointment_booked", timestamp = when(row, "Created date"), user_id = customer,
        event_id = "jobber-job-" .. job .. "-booked", props = props },
    }
    local closed = when(row, "Closed date")
    if closed then
      events[#events + 1] = { event = "job_completed", timestamp = closed, user_id = customer,
        value = exports.money(row["Total revenue ($)"], "Total revenue ($)"),
        event_id = "jobber-job-" .. job .. "-completed", props = props }
    end
    return events
  end,
}
