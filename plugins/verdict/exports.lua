--- Reading the cells of a job-management export: times, amounts, lists of numbers.
-- `local exports = require "verdict.exports"`. Every reader returns nil for an empty cell, and
-- raises an error naming the column for a cell it cannot read, so the row goes to quarantine
-- with a reason such as `Closed date: "31/02/2026" ...`.
local dates = require "verdict.dates"

local M = {}

--- Whether a cell is empty (nil, or nothing but spaces).
function M.blank(text)
  return text == nil or string.find(text, "^%s*$") ~= nil
end

local function trim(text)
  return (string.gsub(text, "^%s*(.-)%s*$", "%1"))
end

--- A reader of date-and-time cells: `local when = exports.times(local_timestamp, date_order())`,
-- then `when(row, "Closed date")` is the ISO 8601 time of that cell in the workspace's time zone
-- (nil when it is empty).
function M.times(local_timestamp, order)
  return function(row, column)
    local text = row[column]
    if M.blank(text) then return nil end
    local y, m, d, h, mi, s = dates.parse(trim(text), order)
    if not y then error(column .. ": " .. m, 0) end
    return local_timestamp(y, m, d, h, mi, s)
  end
end

--- An amount of money: `$1,240.00`, `1240`, `-$5.00`, `($5.00)` (negative), `1.240,50 €` and
-- `12,50` (a decimal comma) read as numbers; nil when the cell is empty.
function M.money(text, column)
  if M.blank(text) then return nil end
  local t = trim(text)
  local negative = false
  local inner = string.match(t, "^%((.*)%)$")
  if inner then negative, t = true, inner end
  t = string.gsub(t, "[%$\194\163\226\130\172%s\194\160]", "")  -- $, £, €, spaces (also no-break)
  t = string.gsub(t, "^(%a*)", "")                              -- USD, EUR written before
  t = string.gsub(t, "(%a*)$", "")
  if string.sub(t, 1, 1) == "-" then negative, t = not negative, string.sub(t, 2) end
  local dot, comma = string.find(t, "%.[^%.]*$"), string.find(t, ",[^,]*$")
  if dot and comma then
    if comma > dot then
      t = string.gsub(string.gsub(t, "%.", ""), ",", ".")
    else
      t = string.gsub(t, ",", "")
    end
  elseif comma then
    local _, commas = string.gsub(t, ",", "")
    if commas == 1 and string.find(t, ",%d%d?$") then t = string.gsub(t, ",", ".") else t = string.gsub(t, ",", "") end
  end
  if not (string.find(t, "^%d+%.?%d*$") or string.find(t, "^%.%d+$")) then
    error((column and (column .. ": ") or "") .. "\"" .. text .. "\" is not an amount such as $1,240.00", 0)
  end
  local n = tonumber(t)
  return negative and -n or n
end

--- The numbers in a cell that lists several (`Job #s`: "5201, 5202"), in order, without repeats.
function M.list(text)
  local items, seen = {}, {}
  if M.blank(text) then return items end
  for item in string.gmatch(text, "[^,;\r\n]+") do
    item = trim(item)
    if item ~= "" and not seen[item] then
      seen[item] = true
      items[#items + 1] = item
    end
  end
  return items
end

--- The cell's text without surrounding spaces, or nil when it is empty.
function M.text(text)
  if M.blank(text) then return nil end
  return trim(text)
end

return M
