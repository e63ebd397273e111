-- Importer: a Housecall-Pro-style jobs export. Scheduled jobs give `appointment_booked`,
-- completed ones `job_completed` with the amount, canceled ones `appointment_cancelled`; a
-- "callback" tag also gives `callback_booked`. See docs/importers.md.
local dates = require "verdict.dates"

local function stamp(text, column)
  local y, m, d, h, mi, s = dates.parse(text, date_order())
  if not y then error(column .. ": " .. m, 0) end
  return local_timestamp(y, m, d, h, mi, s)
end

return importer {
  description = "Housecall-Pro-style jobs export (Job #, Customer, Customer type, Job status, Scheduled date, Completed at, Job amount, Tags, ...)",
  columns = { "Job #", "Customer", "Job status", "Scheduled date", "Completed at", "Job amount" },
  map = function(row)
    local job, status = row["Job #"], string.lower(row["Job status"])
    local cohort = nil
    if row["Customer type"] == "New" then cohort = "new_customer" elseif row["Customer type"] == "Returning" then cohort = "returning" end
    local props = {}
    if row.Technician and row.Technician ~= "" then props.crew = row.Technician end
    if row["Lead source"] and row["Lead source"] ~= "" then props.lead_source = row["Lead source"] end
    local function event(name, when, extra)
      local e = { event = name, timestamp = when, user_id = row.Customer, user_cohort = cohort,
                  event_id = "hcp-" .. job .. "-" .. name, props = next(props) and props or nil }
      for k, v in pairs(extra or {}) do e[k] = v end
      return e
    end
    local events = { event("appointment_booked", stamp(row["Scheduled date"], "Scheduled date")) }
    if status == "completed" then
      local amount = tonumber((string.gsub(row["Job amount"], "[$,]", "")))
      events[#events + 1] = event("job_completed", stamp(row["Completed at"], "Completed at"), { value = amount })
    elseif status == "canceled" or status == "cancelled" then
      events[#events + 1] = event("appointment_cancelled", stamp(row["Scheduled date"], "Scheduled date"))
    end
    if row.Tags and string.find(string.lower(row.Tags), "callback", 1, true) then
      events[#events + 1] = event("callback_booked", stamp(row["Scheduled date"], "Scheduled date"))
    end
    return events
  end,
}
