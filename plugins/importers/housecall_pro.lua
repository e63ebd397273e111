-- Importer: Housecall Pro's jobs export ("Exported report breakdown": Invoice Number, Created At,
-- Date, End Time, durations, Customer, First Name, Last Name, Email, ..., City, State). Each job
-- gives `appointment_booked` at `Created At`. The columns Housecall Pro documents say nothing of
-- how a job ended; when the export also has a status column (`Job Status`, `Work Status` or
-- `Status`), a completed job gives `job_completed` (at `Completed At` when there is one, else at
-- its `Date`, with value from `Amount`, `Job Amount`, `Total Amount` or `Total` when there is
-- one), a canceled one `appointment_canceled`; a `callback` customer tag gives `callback`.
-- Event ids come from the invoice number (`hcp-1042-booked`). See docs/importers.md.
local exports = require "verdict.exports"
local when = exports.times(local_timestamp, date_order())

local statuses = { "Job Status", "Work Status", "Status" }
local amounts = { "Amount", "Job Amount", "Total Amount", "Total" }
local completions = { "Completed At", "Job Completed Date", "Completed" }

local function first(row, columns)
  for _, column in ipairs(columns) do
    if not exports.blank(row[column]) then return column end
  end
end

local known = {
  "Travel Duration", "On Job Duration", "Total Duration", "End Time", "First Name", "Last Name", "Email", "Company",
  "Mobile Phone", "Home Phone", "Customer Tags", "Address", "Street", "Street Line 2", "City", "State", "Zip",
  "Customer Type", "Employee", "Lead Source",
}
for _, list in ipairs { statuses, amounts, completions } do
  for _, column in ipairs(list) do known[#known + 1] = column end
end

return importer {
  description = "Housecall Pro jobs export (Invoice Number, Created At, Date, Customer, ...)",
  columns = { "Invoice Number", "Created At", "Date", "Customer" },
  known = known,
  map = function(row)
    local invoice = exports.text(row["Invoice Number"])
    if not invoice then error("Invoice Number: the job has no invoice number", 0) end
    local kind = string.lower(exports.text(row["Customer Type"]) or "")
    local cohort = (kind == "new" and "new_customer") or (kind == "returning" and "returning") or nil
    local props = {
      invoice = invoice,
      city = exports.text(row.City),
      zip = exports.text(row.Zip),
      crew = exports.text(row.Employee),
      lead_source = exports.text(row["Lead Source"]),
      tags = exports.text(row["Customer Tags"]),
      scheduled = exports.text(row.Date),
    }
    local customer = exports.text(row.Customer)
    local function event(name, timestamp, value)
      return { event = name, timestamp = timestamp, user_id = customer, user_cohort = cohort, value = value,
        event_id = "hcp-" .. invoice .. "-" .. name, props = props }
    end
    local events = { event("appointment_booked", when(row, "Created At")) }
    local status_column = first(row, statuses)
    local status = status_column and string.lower(exports.text(row[status_column])) or ""
    local completed_column = first(row, completions)
    if string.find(status, "complete", 1, true) or (status == "" and completed_column) then
      local amount_column = first(row, amounts)
      local at = completed_column and when(row, completed_column) or when(row, "Date")
      events[#events + 1] = event("job_completed", at, amount_column and exports.money(row[amount_column], amount_column))
    elseif string.find(status, "cancel", 1, true) then
      events[#events + 1] = event("appointment_canceled", when(row, "Date"))
    end
    if string.find(string.lower(row["Customer Tags"] or ""), "callback", 1, true) then
      events[#events + 1] = event("callback", when(row, "Date"))
    end
    return events
  end,
}
