-- Template: fewer no-shows. A reminder text the afternoon before each appointment should cut
-- missed appointments; it must not make customers cancel more. Counted per appointment that
-- fell due in the window (each `appointment_due`), not per customer. The office sends the texts by hand: `verdict today`
-- says to whom, from the day's appointments. Copy with `verdict new NAME --template no-show`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Reminder text the day before",
  hypothesis = "A reminder text the afternoon before each appointment cuts no-shows per appointment by at least 30%.",
  task       = "Send the reminder text the afternoon before the appointment",
  design     = ab { flag = "reminder_text", split = 0.5 },
  window     = days(7),
  primary    = kpi.rate { numerator = "no_show", denominator = "appointment_due", name = "no-shows per appointment",
                          better = "lower", pass = drop_at_least(0.30) },
  leading    = kpi.daily_count { event = "appointment_booked" },
  guardrails = { kpi.rate { numerator = "appointment_canceled", denominator = "appointment_due",
                            name = "cancellations per appointment", better = "lower", pass = no_worse_than(0.02) } },
  if_inconclusive = "extend",
}
