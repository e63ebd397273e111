-- An endless loop inside a coroutine; resume returns its error to the caller.
local co = coroutine.create(function() while true do end end)
local ok, message = coroutine.resume(co)
return "survived"
