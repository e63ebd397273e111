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

--- Month and day of a date written a/b/year, under `order` (the workspace's `date_order`, as
-- importers get it from `date_order()`). Without an order saying which comes first (none, or
-- year_first), a date is read only when one of the two parts cannot be a month; both 12 or less
-- is refused, never guessed.
local function month_and_day(text, a, b, order)
  if order == "month_first" then return a, b end
  if order == "day_first" then return b, a end
  if a > 12 and b <= 12 then return b, a end
  if b > 12 and a <= 12 then return a, b end
  if a == b then return a, b end
  if a > 12 and b > 12 then return a, b end  -- no month either way: refused as month a
  return nil, string.format("\"%s\" could be %d %s or %d %s: set date_order = \"month_first\" or \"day_first\" in verdict.lua",
    text, b, month_names[a], a, month_names[b])
end

--- A date, optionally followed by a time, in any of these forms: 2026-11-05 (ISO, year first
-- whatever the order), 2026/11/05, 11/05/2026 or 05.11.2026 (read by `order`: "month_first",
-- "day_first" or "year_first", the workspace's date_order as `date_order()` gives it), Nov 5, 2026
-- and 05 Nov 2026; then "14:30" or "2:30 PM". A date impossible in the order is refused, and so
-- is one whose order is not known and whose day could be its month.
function M.parse(text, order)
  if type(text) ~= "string" or text == "" then return nil, "no date" end
  if order ~= nil and order ~= "month_first" and order ~= "day_first" and order ~= "year_first" then
    error("dates.parse: order is \"month_first\", \"day_first\" or \"year_first\", not " .. tostring(order), 2)
  end
  local y, m, d, rest = string.match(text, "^%s*(%d%d%d%d)%-(%d%d?)%-(%d%d?)[T%s]?(.*)$")
  if not y then
    y, m, d, rest = string.match(text, "^%s*(%d%d%d%d)/(%d%d?)/(%d%d?),?%s*(.*)$")
  end
  if not y then
    local a, b
    a, b, y, rest = string.match(text, "^%s*(%d%d?)[/%.](%d%d?)[/%.](%d%d%d%d),?%s*(.*)$")
    if a then
      m, d = month_and_day(text, tonumber(a), tonumber(b), order)
      if not m then return nil, d end
      if m > 12 and order then
        return nil, string.format("\"%s\" is not a date in %s order (date_order in verdict.lua): there is no month %d", text, order, m)
      end
    end
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
