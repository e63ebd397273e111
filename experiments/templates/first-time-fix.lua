-- Template: first-time fix (a custom KPI). A pre-visit checklist should mean fewer jobs need a
-- callback. Copy with `verdict new NAME --template first-time-fix`.
local trade = require "trades.electrical"
local kpi = require "verdict.kpi"

return experiment {
  change_id  = "CHG-0001",
  title      = "Pre-visit parts checklist",
  hypothesis = "A parts checklist sent to the crew the evening before raises the first-time fix rate.",
  design     = switchback { flag = "parts_checklist", seed = 11 },
  window     = days(7),
  primary    = trade.first_time_fix { pass = at_least(0.90) },
  leading    = kpi.daily_count { event = "job_completed" },
  guardrails = { trade.average_ticket { pass = no_worse_than(50) } },
  if_inconclusive = "extend",
}
