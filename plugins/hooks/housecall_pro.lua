-- Webhook mapping: Housecall Pro (webhooks need the MAX plan). A delivery is
--   {"event":"job.completed","job":{"id":…,"invoice_number":…,"customer":{…},"work_status":…,
--    "work_timestamps":{"completed_at":…},"schedule":{"scheduled_start":…},"total_amount":…}}
-- with `total_amount` in cents. Event ids are the export's (`hcp-INVOICE-job_completed`), so a
-- job from the webhook and from the nightly export is stored once. Copy this file to your
-- workspace's plugins/hooks/ to change it.
local function job(payload)
  if type(payload.job) ~= "table" then error("the body has no job", 0) end
  return payload.job
end

local function key(j)
  local number = j.invoice_number or j.id
  if number == nil then error("job has neither invoice_number nor id", 0) end
  return tostring(number)
end

-- The customer as the export names them ("First Last"), else their id.
local function customer(j)
  local c = j.customer
  if type(c) ~= "table" then return nil end
  local name = string.gsub(string.gsub((c.first_name or "") .. " " .. (c.last_name or ""), "^%s+", ""), "%s+$", "")
  if name ~= "" then return name end
  return c.id and tostring(c.id) or nil
end

local function event(name, j, at, delivery, value)
  local address = type(j.address) == "table" and j.address or {}
  local lead = type(j.customer) == "table" and j.customer.lead_source or nil
  return {
    event = name, timestamp = at or delivery.received_at, user_id = customer(j), value = value,
    event_id = "hcp-" .. key(j) .. "-" .. name,
    props = { invoice = key(j), zip = address.zip and tostring(address.zip) or nil, lead_source = lead, via = "webhook" },
  }
end

local function cents(amount)
  if type(amount) ~= "number" then return nil end
  return amount / 100
end

return hook {
  description = "Housecall Pro webhooks: job.created, job.completed, job.updated (cancellations), job.appointment.appointment_discarded",
  topic = function(payload) return payload.event end,
  map = {
    ["job.created"] = function(payload, delivery)
      local j = job(payload)
      return event("appointment_booked", j, j.created_at, delivery)
    end,
    ["job.completed"] = function(payload, delivery)
      local j = job(payload)
      local done = type(j.work_timestamps) == "table" and j.work_timestamps.completed_at or nil
      return event("job_completed", j, done, delivery, cents(j.total_amount))
    end,
    ["job.updated"] = function(payload, delivery)
      local j = job(payload)
      if type(j.work_status) == "string" and string.find(j.work_status, "cancel", 1, true) then
        return event("appointment_canceled", j, j.updated_at, delivery)
      end
      return nil
    end,
    ["job.appointment.appointment_discarded"] = function(payload, delivery)
      return event("appointment_canceled", job(payload), nil, delivery)
    end,
  },
}
