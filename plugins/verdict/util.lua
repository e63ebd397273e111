--- Small helpers for plugin authors: splitting text, rounding, safe division.
-- `local util = require "verdict.util"`
local M = {}

--- Splits `text` at each `separator` (plain text, not a pattern); keeps empty pieces.
-- util.split("a,,b", ",") --> { "a", "", "b" }
function M.split(text, separator)
  local pieces, start = {}, 1
  while true do
    local first, last = string.find(text, separator, start, true)
    if not first then
      pieces[#pieces + 1] = string.sub(text, start)
      return pieces
    end
    pieces[#pieces + 1] = string.sub(text, start, first - 1)
    start = last + 1
  end
end

--- Trims spaces, tabs and line breaks from both ends.
function M.trim(text)
  return (string.gsub(text, "^%s*(.-)%s*$", "%1"))
end

--- Rounds to `digits` decimal places (default 0).
function M.round(x, digits)
  local scale = 10 ^ (digits or 0)
  return math.floor(x * scale + 0.5) / scale
end

--- a / b, or `otherwise` (default nil) when b is 0.
function M.ratio(a, b, otherwise)
  if b == 0 then return otherwise end
  return a / b
end

return M
