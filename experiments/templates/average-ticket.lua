-- Template: average ticket. Showing prices up front should raise revenue per completed job.
-- Copy with `verdict new NAME --template average-ticket`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Show the price range before booking",
  hypothesis = "Showing the price range before booking raises the average ticket of completed jobs.",
  design     = ab { flag = "price_upfront", split = 0.5 },
  window     = days(7),
  primary    = kpi.mean { event = "job_completed", of = "value", pass = lift_at_least(0.03) },
  leading    = kpi.daily_count { event = "appointment_booked" },
  guardrails = { kpi.conversion { from = "quote_viewed", to = "appointment_booked", pass = no_worse_than(0.02) } },
  forecast   = { expected_lift = 0.05 },
  if_inconclusive = "rollback",
}
