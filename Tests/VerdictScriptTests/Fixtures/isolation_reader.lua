-- Checks that nothing isolation_writer.lua did is visible here.
local t = {}
table.insert(t, "ok")
return {
  shared_secret = shared_secret == nil,
  upper = string.upper("a") == "A",
  method = ("a"):upper() == "A",
  format = string.format("%d", 5) == "5",
  insert = t[1] == "ok",
  pi = math.pi > 3.14,
  floor = math.floor(2.5) == 2,
  print = type(print) == "function",
}
