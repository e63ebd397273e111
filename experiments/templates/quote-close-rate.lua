-- Template: quote close rate. A follow-up call two days after a quote is sent should win more
-- of them, without winning them by discounting. Copy with `verdict new NAME --template quote-close-rate`.
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Follow-up call two days after the quote",
  hypothesis = "Calling each customer two days after their quote is sent raises the share of quotes approved by at least 10%.",
  design     = ab { flag = "quote_follow_up", split = 0.5 },
  window     = days(7),
  primary    = kpi.conversion { from = "quote_sent", to = "quote_approved", name = "quote close rate", pass = lift_at_least(0.10) },
  leading    = kpi.daily_count { event = "quote_sent" },
  guardrails = { kpi.mean { event = "quote_approved", of = "value", name = "approved quote total", pass = no_worse_than(150) } },
  if_inconclusive = "extend",
}
