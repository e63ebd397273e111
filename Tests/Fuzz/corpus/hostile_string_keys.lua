-- Many distinct strings as table keys: the string table and the hash part grow to the cap.
local t = {}
local i = 0
while true do
  i = i + 1
  t["key" .. i .. ("k"):rep(i % 50)] = i
end
