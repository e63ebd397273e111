-- Recursion that runs through C: metamethods, tostring, coroutines inside coroutines.
local loop = setmetatable({}, {})
getmetatable(loop).__index = loop
getmetatable(loop).__newindex = loop
pcall(function() return loop.x end)
pcall(function() loop.x = 1 end)
local mt = {}
mt.__tostring = function(t) return tostring(t) end
pcall(tostring, setmetatable({}, mt))
local eq = {}
eq.__eq = function(a, b) return a == b end
pcall(function() return setmetatable({}, eq) == setmetatable({}, eq) end)
local function nest(n) return coroutine.wrap(function() return nest(n + 1) end)() end
pcall(nest, 1)
local call = setmetatable({}, {})
getmetatable(call).__call = function(self, ...) return self(...) end
pcall(call)
local concat = setmetatable({}, { __concat = function(a, b) return a .. b end })
pcall(function() return concat .. "x" end)
return "survived"
