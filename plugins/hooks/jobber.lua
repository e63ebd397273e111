-- Webhook mapping: Jobber ("Setting up webhooks", developer.getjobber.com). A delivery names its
-- topic and item only:
--   {"data":{"webHookEvent":{"topic":"JOB_CLOSED","appId":"…","accountId":"…","itemId":"…","occurredAt":"…"}}}
-- (apps made before 2023-12-08 get `occuredAt`). So its events have a time and an id but no
-- customer and no amount: they count per day (a leading indicator), and the nightly export gives
-- the jobs whole. Topics without a function below (CLIENT_CREATE, VISIT_UPDATE, …) are kept and
-- counted. Copy this file to your workspace's plugins/hooks/ to change it.
local function notice(payload)
  local event = type(payload.data) == "table" and payload.data.webHookEvent
  if type(event) ~= "table" then error("the body has no data.webHookEvent", 0) end
  return event
end

local function one(name, kind, suffix)
  return function(payload)
    local e = notice(payload)
    local at = e.occurredAt or e.occuredAt
    if type(at) ~= "string" then error("data.webHookEvent has no occurredAt", 0) end
    if e.itemId == nil then error("data.webHookEvent has no itemId", 0) end
    local item = tostring(e.itemId)
    return {
      event = name, timestamp = at, event_id = "jobber-" .. kind .. "-" .. item .. "-" .. suffix,
      props = { jobber_item = item, jobber_account = e.accountId and tostring(e.accountId) or nil, via = "webhook" },
    }
  end
end

return hook {
  description = "Jobber webhooks: JOB_CREATE, JOB_CLOSED, QUOTE_SENT, QUOTE_APPROVED",
  topic = function(payload) return notice(payload).topic end,
  map = {
    JOB_CREATE = one("appointment_booked", "job", "booked"),
    JOB_CLOSED = one("job_completed", "job", "completed"),
    QUOTE_SENT = one("quote_sent", "quote", "sent"),
    QUOTE_APPROVED = one("quote_approved", "quote", "approved"),
  },
}
