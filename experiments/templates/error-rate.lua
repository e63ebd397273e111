-- Template: fewer errors. A fix to the booking form should make submissions fail less often.
-- Copy with `verdict new NAME --template error-rate`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Retry address lookup on the booking form",
  hypothesis = "Retrying the address lookup once halves failed booking submissions.",
  design     = ab { flag = "address_retry", split = 0.5 },
  window     = days(7),
  primary    = kpi.error_rate { event = "booking_submit", pass = drop_at_least(0.50) },
  leading    = kpi.daily_count { event = "booking_submit", status = "success" },
  guardrails = { kpi.quantile { event = "booking_submit", of = "latency_ms", p = 0.95, pass = no_worse_than(300) } },
  if_inconclusive = "keep",
}
