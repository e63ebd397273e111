-- Importer: a plain spreadsheet kept by the office, one event per row.
-- Columns: Date, Time (optional), Event, Change ID (optional), Customer (optional),
-- Amount (optional), Variant (optional), Cohort (optional), Status (optional); any other
-- column becomes a prop (`Crew` as `crew`). See docs/importers.md.
local dates = require "verdict.dates"
local exports = require "verdict.exports"

return importer {
  description = "a plain spreadsheet: Date, Time, Event, Change ID, Customer, Amount, ...",
  columns = { "Date", "Event" },
  known = { "Time", "Change ID", "Customer", "Amount", "Variant", "Cohort", "Status" },
  fallback = true,
  map = function(row, line)
    local y, m, d, h, mi, s = dates.parse(row.Date .. " " .. (row.Time or ""), date_order())
    if not y then error("Date/Time: " .. m, 0) end
    return {
      event = string.lower((string.gsub(exports.text(row.Event) or "", "%s+", "_"))),
      timestamp = local_timestamp(y, m, d, h, mi, s),
      change_id = exports.text(row["Change ID"]),
      user_id = exports.text(row.Customer),
      value = exports.money(row.Amount, "Amount"),
      version_flag = exports.text(row.Variant),
      user_cohort = exports.text(row.Cohort),
      status = exports.text(row.Status),
    }
  end,
}
