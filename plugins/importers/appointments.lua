-- Importer: a plain appointments spreadsheet kept by the office, one appointment per row, with
-- what became of it (the list `verdict assign` writes, with its outcome filled in, reads too). Columns: Date, Time (optional), Customer, Status; optional Appointment #
-- (or ID), Booked (when it was booked), Amount, Change ID, Variant (or verdict_variant, as
-- `verdict assign` writes it), Cohort. Every appointment
-- gives `appointment_booked` (at Booked, else at its own time); Status then adds, at the
-- appointment's own time, `appointment_due` and `job_completed` (completed, done: value Amount),
-- `no_show` (no show, no-show, missed) or `appointment_canceled` (canceled, cancelled);
-- scheduled, booked, confirmed, rescheduled or an empty status add nothing yet. Any other status sends the row to quarantine. See docs/importers.md.
local exports = require "verdict.exports"
local dates = require "verdict.dates"

local outcomes = {
  ["completed"] = "job_completed", ["complete"] = "job_completed", ["done"] = "job_completed",
  ["no show"] = "no_show", ["no-show"] = "no_show", ["noshow"] = "no_show", ["missed"] = "no_show",
  ["canceled"] = "appointment_canceled", ["cancelled"] = "appointment_canceled",
  ["scheduled"] = false, ["booked"] = false, ["confirmed"] = false, ["rescheduled"] = false, [""] = false,
}

local function at(row, date_column, time_column)
  local text = exports.text(row[date_column])
  if not text then return nil end
  local time = time_column and exports.text(row[time_column])
  local y, m, d, h, mi, s = dates.parse(time and (text .. " " .. time) or text, date_order())
  if not y then error((time and (date_column .. "/" .. time_column) or date_column) .. ": " .. m, 0) end
  return local_timestamp(y, m, d, h, mi, s)
end

return importer {
  description = "an appointments spreadsheet: Date, Time, Customer, Status (completed, no show, canceled, ...)",
  columns = { "Date", "Customer", "Status" },
  known = {
    "Time", "Appointment #", "Appointment ID", "ID", "Booked", "Amount", "Change ID", "Variant", "Cohort", "verdict_variant",
    "verdict_arm",
  },
  fallback = true,
  map = function(row)
    local status = string.lower(string.gsub(exports.text(row.Status) or "", "%s+", " "))
    local outcome = outcomes[status]
    if outcome == nil then
      error("Status: \"" .. row.Status .. "\" is not a status this importer knows (completed, no show, canceled, scheduled, ...)", 0)
    end
    local when = at(row, "Date", "Time")
    if not when then error("Date: the appointment has no date", 0) end
    local customer = exports.text(row.Customer)
    local number = exports.text(row["Appointment #"]) or exports.text(row["Appointment ID"]) or exports.text(row.ID)
    -- Without a number, the appointment is known by its time and customer.
    local key = "appointment-" .. (number or (when .. "-" .. (customer or "")))
    local function event(name, timestamp, value)
      return { event = name, timestamp = timestamp, user_id = customer, value = value, event_id = key .. "-" .. name,
        change_id = exports.text(row["Change ID"]), version_flag = exports.text(row.Variant) or exports.text(row.verdict_variant),
        user_cohort = exports.text(row.Cohort), props = { appointment = number, status = status ~= "" and status or nil } }
    end
    local events = { event("appointment_booked", at(row, "Booked") or when) }
    if outcome then
      events[#events + 1] = event("appointment_due", when)
      events[#events + 1] = event(outcome, when, outcome == "job_completed" and exports.money(row.Amount, "Amount") or nil)
    end
    return events
  end,
}
