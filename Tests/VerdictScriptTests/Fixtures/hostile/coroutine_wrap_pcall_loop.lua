-- Fresh coroutines, each looping forever, each error caught by pcall.
while true do
  pcall(coroutine.wrap(function() while true do end end))
end
