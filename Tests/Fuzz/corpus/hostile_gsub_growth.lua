-- A replacement that multiplies the subject: the memory cap stops it.
local s = ("x"):rep(1 << 16)
while true do s = s:gsub("x", "xx") end
