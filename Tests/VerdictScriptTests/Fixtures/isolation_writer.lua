-- Tries to change what other scripts see: globals, library tables, shared metatables.
shared_secret = "leaked"
string.upper = function() return "hacked" end
string.format = nil
table.insert = function() error("hacked") end
math.pi = 3
math.floor = function() return -1 end
rawset(_G, "print", nil)
local ok = pcall(function() getmetatable("").__index.upper = function() return "hacked" end end)
return { metatable_write_blocked = not ok }
