-- Template: a longer cache lifetime. The backend error rate stays stable and the cache hit rate goes up.
-- Copy with `verdict new NAME --template cache-lifetime`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Cache availability slots for 10 minutes",
  hypothesis = "Caching availability slots for 10 minutes instead of 1 raises the cache hit rate without more backend errors.",
  design     = ab { flag = "slot_cache_10m", split = 0.5 },
  window     = days(7),
  primary    = kpi.error_rate { event = "backend_request", pass = no_worse_than(0.002) },
  leading    = kpi.rate { numerator = "cache_hit", denominator = "cache_lookup", name = "daily cache hit rate", better = "higher" },
  guardrails = { kpi.rate { numerator = "cache_hit", denominator = "cache_lookup", name = "cache hit rate", better = "higher",
                            pass = lift_at_least(0.05) } },
  if_inconclusive = "keep",
}
