-- load(reader, name) with a 16 MB chunk name that only load's own argument holds. The reader
-- fills memory to within 8 MB of the standard 64 MB cap, so the parser's copy of the name fits
-- only after an emergency collection; the name must survive that collection.
local ballast = {}
local called = false
local function reader()
  if called then return nil end
  called = true
  for i = 1, 38 do ballast[i] = ("b"):rep((1 << 20) - 64 - i) end
  return "return 1"
end
local f, message = load(reader, ("n"):rep(16 << 20))
return f and "loaded" or message
