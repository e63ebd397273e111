-- Template: throttle photo processing. Median page load improves by 15% or more and the photo queue
-- stays under its limit. Copy with `verdict new NAME --template photo-throttle`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Throttle job-photo processing during office hours",
  hypothesis = "Processing job photos in the background at a capped rate cuts the median page load by at least 15%.",
  design     = switchback { flag = "photo_throttle", seed = 7 },
  window     = days(7),
  primary    = kpi.quantile { event = "page_load", of = "latency_ms", p = 0.5, pass = drop_at_least(0.15) },
  leading    = kpi.mean { event = "photo_queue_sampled", of = "value", name = "daily photo queue length", better = "lower" },
  guardrails = { kpi.mean { event = "photo_queue_sampled", of = "value", name = "photo queue length", better = "lower",
                            pass = at_most(200) } },
  if_inconclusive = "rollback",
}
