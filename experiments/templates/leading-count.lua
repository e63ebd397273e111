-- Template: more of one event. A change should bring more quote requests each day.
-- Copy with `verdict new NAME --template leading-count`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Call-us banner on the homepage",
  hypothesis = "A call-us banner on the homepage brings more quote requests per day.",
  design     = before_after { weeks = 2 },
  window     = days(7),
  primary    = kpi.daily_count { event = "quote_requested", pass = lift_at_least(0.10) },
  leading    = kpi.daily_count { event = "banner_click" },
  guardrails = { kpi.rate { numerator = "quote_spam", denominator = "quote_requested", max_increase = 0.02 } },
  if_inconclusive = "rollback",
}
