-- Template: appointment conversion. A website change (here a Book-now button) should turn more
-- quote viewers into booked appointments. Copy with `verdict new NAME --template conversion`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Book-now button on service pages",
  hypothesis = "A visible Book-now button raises appointment conversion for new customers.",
  owner      = "office@brightspark.example",

  design     = ab { flag = "book_now_button", control = "off", treatment = "on", split = 0.5 },
  window     = days(7),
  cohorts    = { "new_customer" },

  primary    = kpi.conversion { from = "quote_viewed", to = "appointment_booked",
                                pass = lift_at_least(0.05) },
  leading    = kpi.daily_count { event = "book_now_click", status = "success" },
  guardrails = { kpi.error_rate { event = "booking_submit", max_increase = 0.005 } },

  safety     = { check_at = hours(24, 48, 72), min_events = 30,
                 on_breach = throttle(0.10), on_second_breach = rollback() },
  forecast   = { expected_lift = 0.08 },
  if_inconclusive = "rollback",
}
