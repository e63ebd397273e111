-- Template: page speed (p95 latency). A faster booking page should load in less time for most visitors.
-- Copy with `verdict new NAME --template page-speed`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Lazy-load the gallery on the booking page",
  hypothesis = "Loading the photo gallery after the form cuts the booking page's p95 load time by a tenth.",
  design     = ab { flag = "lazy_gallery", split = 0.5 },
  window     = days(7),
  primary    = kpi.quantile { event = "page_load", of = "latency_ms", p = 0.95, props = { page = "booking" },
                              pass = drop_at_least(0.10) },
  leading    = kpi.daily_count { event = "page_load", props = { page = "booking" } },
  guardrails = { kpi.conversion { from = "page_load", to = "appointment_booked", pass = no_worse_than(0.01) } },
  forecast   = { expected_lift = 0.15 },
  if_inconclusive = "keep",
}
