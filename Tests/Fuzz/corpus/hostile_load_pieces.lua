-- load with a reader that hands out a very long chunk one byte at a time, then numbers.
local n = 0
local f = load(function()
  n = n + 1
  if n < 200000 then return " " end
  if n == 200000 then return 12345 end
  return nil
end, "=pieces")
return f and f()
