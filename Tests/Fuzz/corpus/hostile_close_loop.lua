-- A to-be-closed variable whose __close never returns: the instruction budget still stops it.
do
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
end
