-- Importer: Jobber's Quotes export. Each quote gives `quote_sent` at its `Sent date` and
-- `quote_approved` at its `Approved date`, both with value `Total ($)`. A converted quote gives
-- `appointment_booked` at its `Converted date` for each job in `Job #s`, under the job's own
-- event id (`jobber-job-5201-booked`): when the Jobs export has the job too, whichever comes
-- first stores the booking and the other is a duplicate, so a booking is never counted twice.
-- See docs/importers.md.
local exports = require "verdict.exports"
local when = exports.times(local_timestamp, date_order())

return importer {
  description = "Jobber Quotes export (Quote #, Client name, Sent date, Approved date, Total ($), ...)",
  columns = { "Quote #", "Client name", "Sent date", "Approved date", "Total ($)" },
  known = {
    "Client email", "Client phone", "Service street", "Service city", "Service province", "Service ZIP", "Title",
    "Status", "Line items", "Salesperson", "Sent by user", "Job #s", "Subtotal ($)", "Discount ($)",
    "Required deposit ($)", "Collected deposit ($)", "Drafted date", "Changes requested date", "Converted date",
    "Archived date",
  },
  map = function(row)
    local quote = exports.text(row["Quote #"])
    if not quote then error("Quote #: the quote has no number", 0) end
    local customer = exports.text(row["Client name"])
    local total = exports.money(row["Total ($)"], "Total ($)")
    local props = {
      quote = quote,
      title = exports.text(row.Title),
      zip = exports.text(row["Service ZIP"]),
      city = exports.text(row["Service city"]),
      salesperson = exports.text(row.Salesperson),
    }
    local events = {}
    local function add(name, timestamp, id, value)
      if timestamp then
        events[#events + 1] = { event = name, timestamp = timestamp, user_id = customer, value = value,
          event_id = id, props = props }
      end
    end
    add("quote_sent", when(row, "Sent date"), "jobber-quote-" .. quote .. "-sent", total)
    add("quote_approved", when(row, "Approved date"), "jobber-quote-" .. quote .. "-approved", total)
    local converted = when(row, "Converted date")
    if converted then
      local jobs = exports.list(row["Job #s"])
      for _, job in ipairs(jobs) do add("appointment_booked", converted, "jobber-job-" .. job .. "-booked") end
      if #jobs == 0 then add("appointment_booked", converted, "jobber-quote-" .. quote .. "-booked") end
    end
    return events
  end,
}
