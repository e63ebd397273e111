-- Template: a "recommended services" list. Conversion up 5% or more over 7 days, cancellations
-- unchanged. Copy with `verdict new NAME --template recommended-services`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Recommended services under the quote",
  hypothesis = "Listing related services under each quote raises quote-to-booking conversion by at least 5%.",
  design     = ab { flag = "recommended_services", split = 0.5 },
  window     = days(7),
  primary    = kpi.conversion { from = "quote_viewed", to = "appointment_booked", pass = lift_at_least(0.05) },
  leading    = kpi.daily_count { event = "recommendation_click" },
  guardrails = { kpi.rate { numerator = "appointment_canceled", denominator = "appointment_booked",
                            name = "cancellations per booking", pass = no_worse_than(0.01) } },
  forecast   = { expected_lift = 0.07 },
  if_inconclusive = "rollback",
}
