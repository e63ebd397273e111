-- Importer: a plain spreadsheet kept by the office, one event per row.
-- Columns: Date, Time (optional), Event, Change ID (optional), Customer (optional),
-- Amount (optional), Variant (optional), Cohort (optional), Status (optional); any other
-- column becomes a prop. See docs/importers.md.
local dates = require "verdict.dates"

local known = { Date = true, Time = true, Event = true, ["Change ID"] = true, Customer = true, Amount = true,
                Variant = true, Cohort = true, Status = true }

local function blank(text) return text == nil or text == "" end

return importer {
  description = "a plain spreadsheet: Date, Time, Event, Change ID, Customer, Amount, ...",
  columns = { "Date", "Event" },
  map = function(row, line)
    local y, m, d, h, mi, s = dates.parse(row.Date .. " " .. (row.Time or ""), date_order())
    if not y then error("Date/Time: " .. m, 0) end
    local props = {}
    for column, value in pairs(row) do
      if not known[column] and not blank(value) then props[column] = value end
    end
    return {
      event = string.lower((string.gsub(row.Event, "%s+", "_"))),
      timestamp = local_timestamp(y, m, d, h, mi, s),
      change_id = not blank(row["Change ID"]) and row["Change ID"] or nil,
      user_id = not blank(row.Customer) and row.Customer or nil,
      value = not blank(row.Amount) and tonumber((string.gsub(row.Amount, "[$,]", ""))) or nil,
      version_flag = not blank(row.Variant) and row.Variant or nil,
      user_cohort = not blank(row.Cohort) and row.Cohort or nil,
      status = not blank(row.Status) and row.Status or nil,
      props = next(props) and props or nil,
    }
  end,
}
