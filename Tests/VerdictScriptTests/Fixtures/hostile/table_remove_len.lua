-- A huge __len makes table.remove shift forever.
local t = setmetatable({}, { __len = function() return math.maxinteger // 2 end })
table.remove(t, 1)
