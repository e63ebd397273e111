-- Webhook mapping: Square Appointments. A delivery is
--   {"merchant_id":…,"type":"booking.created","event_id":…,"created_at":…,
--    "data":{"type":"booking","id":…,"object":{"booking":{"id":…,"status":…,"start_at":…,
--    "created_at":…,"updated_at":…,"customer_id":…,…}}}}
-- A booking gives `appointment_booked`; an update to a canceled or declined status
-- `appointment_canceled`, to NO_SHOW `no_show`. Event ids come from the booking's id, so each
-- is stored once however often Square sends it. Copy this file to your workspace's
-- plugins/hooks/ to change it.
local function booking(payload)
  local object = type(payload.data) == "table" and payload.data.object
  local b = type(object) == "table" and object.booking
  if type(b) ~= "table" or b.id == nil then error("the body has no data.object.booking with an id", 0) end
  return b
end

local function event(name, b, at, suffix)
  return {
    event = name, timestamp = at, user_id = b.customer_id, event_id = "square-booking-" .. tostring(b.id) .. "-" .. suffix,
    props = { location = b.location_id, start_at = b.start_at, via = "webhook" },
  }
end

local canceled = { CANCELLED_BY_CUSTOMER = true, CANCELLED_BY_SELLER = true, DECLINED = true }

local function booked_or_changed(payload, delivery)
  local b = booking(payload)
  local status = b.status or ""
  if canceled[status] then return event("appointment_canceled", b, b.updated_at or payload.created_at or delivery.received_at, "canceled") end
  if status == "NO_SHOW" then return event("no_show", b, b.updated_at or payload.created_at or delivery.received_at, "no_show") end
  return event("appointment_booked", b, b.created_at or payload.created_at or delivery.received_at, "booked")
end

return hook {
  description = "Square Appointments webhooks: booking.created, booking.updated",
  topic = function(payload) return payload.type end,
  map = {
    ["booking.created"] = booked_or_changed,
    ["booking.updated"] = booked_or_changed,
  },
}
