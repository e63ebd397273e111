-- Importer: a Jobber-style "Jobs" export. Each job gives `appointment_booked` (when it was
-- created) and, once completed, `job_completed` with its total. Event ids are derived from the
-- job number, so overlapping nightly exports store each event once. See docs/importers.md.
local dates = require "verdict.dates"

local function money(text)
  if text == nil or text == "" then return nil end
  return tonumber((string.gsub(text, "[$,%s]", "")))
end

local function stamp(text, column)
  local y, m, d, h, mi, s = dates.parse(text, date_order())
  if not y then error(column .. ": " .. m, 0) end
  return local_timestamp(y, m, d, h, mi, s)
end

return importer {
  description = "Jobber-style jobs export (Job #, Client name, Created date, Completed date, Total ($), ...)",
  columns = { "Job #", "Client name", "Created date", "Completed date", "Total ($)", "Job type" },
  map = function(row)
    local job = row["Job #"]
    local props = { job_type = row["Job type"] }
    if row["Service zip"] and row["Service zip"] ~= "" then props.zip = row["Service zip"] end
    if row["Visits assigned to"] and row["Visits assigned to"] ~= "" then props.crew = row["Visits assigned to"] end
    if row["Lead source"] and row["Lead source"] ~= "" then props.lead_source = row["Lead source"] end
    local events = {
      { event = "appointment_booked", timestamp = stamp(row["Created date"], "Created date"),
        user_id = row["Client name"], event_id = "jobber-" .. job .. "-booked", props = props },
    }
    if row["Completed date"] ~= "" then
      events[#events + 1] = { event = "job_completed", timestamp = stamp(row["Completed date"], "Completed date"),
        user_id = row["Client name"], value = money(row["Total ($)"]), event_id = "jobber-" .. job .. "-completed",
        props = props }
    end
    return events
  end,
}
