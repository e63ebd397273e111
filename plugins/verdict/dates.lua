--- Reading the dates and times that spreadsheets and job-management exports write.
-- `local dates = require "verdict.dates"`; each reader returns year, month, day, hour, minute,
-- second (numbers), or nil and a reason. Pass the numbers to `local_timestamp(...)` (importers)
-- to get ISO 8601 with the workspace's offset.
local M = {}

local month_names = { "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December" }
local months = { jan = 1, feb = 2, mar = 3, apr = 4, may = 5, jun = 6, jul = 7, aug = 8, sep = 9, oct = 10, nov = 11, dec = 12 }

--- The time part: "14:30", "14:30:05", "2:30 PM", "2:30pm". Returns hour, minute, second.
function M.time(text)
  if text == nil or text == "" then return 0, 0, 0 end
  local h, mi, s, meridiem = string.match(text, "^%s*(%d%d?):(%d%d):?(%d?%d?)%s*([AaPp]?[Mm]?)%s*$")
  if not h then return nil, "\"" .. text .. "\" is not a time such as 14:30 or 2:30 PM" end
  h, mi, s = tonumber(h), tonumber(mi), tonumber(s) or 0
  meridiem = string.lower(meridiem)
  if meridiem == "pm" and h < 12 then h = h + 12 end
  if meridiem == "am" and h == 12 then h = 0 end
  if h > 23 or mi > 59 or s > 59 then return nil, "\"" .. text .. "\" is not a time of day" end
  return h, mi, s
end

--- A date, optionally followed by a time, in any of these forms:
-- 2026-11-05, 11/05/2026 (US month first), Nov 5, 2026, 05 Nov 2026; then "14:30" or "2:30 PM".
function M.parse(text)
  if type(text) ~= "string" or text == "" then return nil, "no date" end
  local y, m, d, rest = string.match(text, "^%s*(%d%d%d%d)%-(%d%d?)%-(%d%d?)[T%s]?(.*)$")
  if not y then
    m, d, y, rest = string.match(text, "^%s*(%d%d?)/(%d%d?)/(%d%d%d%d),?%s*(.*)$")
  end
  if not y then
    local name
    name, d, y, rest = string.match(text, "^%s*(%a%a%a)%a*%.?%s+(%d%d?),?%s+(%d%d%d%d),?%s*(.*)$")
    m = name and months[string.lower(name)]
  end
  if not y then
    local name
    d, name, y, rest = string.match(text, "^%s*(%d%d?)%s+(%a%a%a)%a*%.?,?%s+(%d%d%d%d),?%s*(.*)$")
    m = name and months[string.lower(name)]
  end
  if not (y and m and d) then
    return nil, "\"" .. text .. "\" is not a date such as 2026-11-05, 11/05/2026 or Nov 5, 2026"
  end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 then return nil, "\"" .. text .. "\" is not a real date: there is no month " .. m end
  if d < 1 or d > M.days_in_month(y, m) then
    return nil, string.format("\"%s\" is not a real date: %s %d has %d days", text, month_names[m], y, M.days_in_month(y, m))
  end
  local h, mi, s = M.time(rest)
  if not h then return nil, mi end
  return y, m, d, h, mi, s
end

--- The number of days in a month of a year (Gregorian).
function M.days_in_month(y, m)
  if m == 2 then return (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28 end
  return (m == 4 or m == 6 or m == 9 or m == 11) and 30 or 31
end

return M
