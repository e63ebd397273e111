-- An endless loop hidden inside pcall, retried forever.
while true do
  pcall(function() while true do end end)
end
