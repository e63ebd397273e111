-- Template: reduce the booking-form timeout. p95 booking latency improves by 10% or more and errors
-- rise no more than half a percentage point. Copy with `verdict new NAME --template booking-timeout`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Shorter booking-form timeout",
  hypothesis = "A 5-second timeout on the booking form's slot search cuts p95 booking latency by at least a tenth.",
  design     = ab { flag = "booking_timeout_5s", split = 0.5 },
  window     = days(7),
  primary    = kpi.quantile { event = "booking_submit", of = "latency_ms", p = 0.95, pass = drop_at_least(0.10) },
  leading    = kpi.daily_count { event = "appointment_booked", status = "success" },
  guardrails = { kpi.error_rate { event = "booking_submit", max_increase = 0.005 } },
  safety     = { check_at = hours(24, 48, 72), min_events = 30, on_breach = throttle(0.10), on_second_breach = rollback() },
  if_inconclusive = "rollback",
}
