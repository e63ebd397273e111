-- Memory errors caught by pcall while the data is kept.
local keep = {}
while true do
  pcall(function() keep[#keep + 1] = string.rep("x", 1024 * 1024) end)
end
