-- A hostile script: it hides an endless loop behind pcall. The sandbox stops it anyway and
-- names the limit; `pcall` cannot swallow a limit error.
local attempts = 0
while true do
  attempts = attempts + 1
  pcall(function() while true do end end)
end
