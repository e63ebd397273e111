-- A huge __len makes table.insert shift forever.
local t = setmetatable({}, { __len = function() return math.maxinteger // 2 end })
table.insert(t, 1, "x")
