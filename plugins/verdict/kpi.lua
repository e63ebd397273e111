--- KPI constructors for experiment scripts.
-- `local kpi = require "verdict.kpi"`; each returns a tagged table that Verdict validates when
-- the experiment loads (a misspelt field is reported with its path and line).
local M = {}

local function constructor(kind, required)
  return function(options)
    if type(options) ~= "table" then
      error(string.format("kpi.%s expects a table, as in kpi.%s { %s = ... }", kind, kind, required[1]), 2)
    end
    for _, field in ipairs(required) do
      if options[field] == nil then
        error(string.format("kpi.%s needs %s", kind, field), 2)
      end
    end
    local spec = { __verdict = "kpi", kind = kind }
    for key, value in pairs(options) do spec[key] = value end
    return spec
  end
end

--- Events in the window: kpi.count { event = "appointment_booked" }
M.count = constructor("count", { "event" })
--- Events per day: kpi.daily_count { event = "book_now_click", status = "success" }
M.daily_count = constructor("daily_count", { "event" })
--- Share of `from` that reach `to`: kpi.conversion { from = "quote_viewed", to = "appointment_booked" }
M.conversion = constructor("conversion", { "from", "to" })
--- `numerator` events per `denominator` event: kpi.rate { numerator = "callback", denominator = "job_completed" }
M.rate = constructor("rate", { "numerator", "denominator" })
--- Mean of value or latency_ms: kpi.mean { event = "job_completed", of = "value" }
M.mean = constructor("mean", { "event" })
--- A quantile: kpi.quantile { event = "booking_submit", of = "latency_ms", p = 0.95 }
M.quantile = constructor("quantile", { "event" })
--- Share of events whose status starts with "error": kpi.error_rate { event = "booking_submit" }
M.error_rate = constructor("error_rate", { "event" })
--- Computed by a Lua function over a read-only query handle scoped to one arm:
-- kpi.custom { name = "first_time_fix_rate", better = "higher",
--              compute = function(q) return { successes = ..., trials = ... } end }
M.custom = constructor("custom", { "compute" })

-- A misspelt constructor (kpi.convertion) is an error that names the closest one, not
-- "attempt to call a nil value". Level 3: the script's line, past the read-only view.
local function distance(a, b)
  local previous = {}
  for j = 0, #b do previous[j] = j end
  for i = 1, #a do
    local current = { [0] = i }
    for j = 1, #b do
      local cost = a:sub(i, i) == b:sub(j, j) and 0 or 1
      current[j] = math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
    end
    previous = current
  end
  return previous[#b]
end

setmetatable(M, {
  __index = function(_, name)
    if type(name) ~= "string" then return nil end
    local names = {}
    for known in pairs(M) do names[#names + 1] = known end
    table.sort(names)
    local best, limit = nil, math.max(1, #name // 3) + 1
    for _, known in ipairs(names) do
      local d = distance(name:lower(), known)
      if d < limit then best, limit = known, d end
    end
    local hint = best and string.format(" (did you mean kpi.%s?)", best) or ""
    error(string.format("there is no kpi.%s%s; the KPIs are kpi.%s", name, hint, table.concat(names, ", kpi.")), 3)
  end,
})

return M
