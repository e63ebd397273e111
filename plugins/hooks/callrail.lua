-- Webhook mapping: CallRail. Its post-call webhook (sent up to 20 minutes after hang-up) and
-- its call-modified one carry the call: id, customer_phone_number, tracking_phone_number,
-- duration, answered, start_time, lead_status, tags, value. Its form webhook carries the form.
-- The body names no topic; it is told from the fields. CallRail does not retry a delivery.
-- Copy this file to your workspace's plugins/hooks/ to change it.
local function id(payload)
  local value = payload.resource_id or payload.id
  if value == nil then error("the body has neither id nor resource_id", 0) end
  return tostring(value)
end

local function call(payload, delivery)
  local key = id(payload)
  local at = payload.start_time or delivery.received_at
  local props = {
    tracking_number = payload.tracking_phone_number, lead_status = payload.lead_status,
    duration = tonumber(payload.duration), source = payload.source, via = "webhook",
  }
  local value = tonumber(payload.value)
  local events = {
    { event = "call_received", timestamp = at, user_id = payload.customer_phone_number, value = value,
      event_id = "callrail-call-" .. key .. "-received", props = props },
  }
  if payload.answered == true or payload.answered == "true" then
    events[2] = { event = "call_answered", timestamp = at, user_id = payload.customer_phone_number,
      event_id = "callrail-call-" .. key .. "-answered", props = props }
  end
  return events
end

return hook {
  description = "CallRail webhooks: post-call and call-modified (call_received, call_answered), form submissions",
  topic = function(payload)
    if payload.form_data ~= nil or payload.form_url ~= nil then return "form_submission" end
    if payload.duration ~= nil or payload.answered ~= nil then return "call" end
    if payload.content ~= nil then return "text_message" end
    return "pre_call"
  end,
  map = {
    call = call,
    form_submission = function(payload, delivery)
      return {
        event = "form_submitted", timestamp = payload.submitted_at or delivery.received_at,
        user_id = payload.customer_phone_number or payload.customer_email, event_id = "callrail-form-" .. id(payload),
        props = { form = payload.form_name, source = payload.source, via = "webhook" },
      }
    end,
  },
}
