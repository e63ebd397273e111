-- An endless loop whose error handler is itself an endless loop.
xpcall(function() while true do end end, function() while true do end end)
return "survived"
