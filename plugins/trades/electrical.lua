--- Contractor KPIs for a residential electrical business.
-- `local trade = require "trades.electrical"`; each function takes options (at least `pass` for a
-- primary KPI, `max_increase` for a guardrail) and returns a KPI for experiment { ... }.
-- Event names are the ones docs/importers.md's importers produce.
local kpi = require "verdict.kpi"

local M = {}

local function with(options, spec)
  for key, value in pairs(options or {}) do spec[key] = value end
  return spec
end

--- Share of quote viewers who book an appointment.
function M.appointment_conversion(options)
  return kpi.conversion(with(options, { name = "appointment conversion", from = "quote_viewed", to = "appointment_booked" }))
end

--- Share of completed jobs that needed no callback: (jobs - callbacks) / jobs.
function M.first_time_fix(options)
  return kpi.custom(with(options, {
    name = "first-time fix rate", better = "higher",
    compute = function(q)
      local done = q:count { event = "job_completed" }
      local callbacks = q:count { event = "callback" }
      return { successes = math.max(done - callbacks, 0), trials = done }
    end,
  }))
end

--- Callbacks per completed job (lower is better).
function M.callback_rate(options)
  return kpi.rate(with(options, { name = "callback rate", numerator = "callback", denominator = "job_completed" }))
end

--- Mean revenue of a completed job.
function M.average_ticket(options)
  return kpi.mean(with(options, { name = "average ticket", event = "job_completed", of = "value" }))
end

--- Share of arrivals inside the promised window: events "technician_arrived" with status
-- "on_time" or "late".
function M.on_time_arrival(options)
  return kpi.custom(with(options, {
    name = "on-time arrival rate", better = "higher",
    compute = function(q)
      local arrivals = q:count { event = "technician_arrived" }
      return { successes = q:count { event = "technician_arrived", status = "on_time" }, trials = arrivals }
    end,
  }))
end

--- Share of completed jobs that got a review.
function M.review_rate(options)
  return kpi.conversion(with(options, { name = "review rate", from = "job_completed", to = "review_received" }))
end

return M
