-- A plugin author's scratch file: parse a few lines of a job export and compute each crew's
-- callback rate. Try it with `verdict lua examples/crew-callbacks.lua` in a workspace made with
-- `verdict init --examples`.
local export = [[
2026-11-02,crew-a,job_completed
2026-11-02,crew-b,job_completed
2026-11-03,crew-a,job_completed
2026-11-04,crew-a,callback
2026-11-04,crew-b,job_completed
2026-11-05,crew-b,job_completed
2026-11-06,crew-b,callback
2026-11-06,crew-a,job_completed
]]

local crews = {}
for day, crew, event in export:gmatch("(%d+%-%d+%-%d+),([%w%-]+),([%w_]+)") do
  local c = crews[crew] or { jobs = 0, callbacks = 0, first_day = day }
  if event == "job_completed" then c.jobs = c.jobs + 1 end
  if event == "callback" then c.callbacks = c.callbacks + 1 end
  crews[crew] = c
end

local names = {}
for name in pairs(crews) do names[#names + 1] = name end
table.sort(names)  -- pairs() has no fixed order; print the crews by name
for _, name in ipairs(names) do
  local c = crews[name]
  c.callback_rate = c.callbacks / c.jobs
  print(string.format("%-7s %d jobs, %d callbacks (%.0f%%)", name, c.jobs, c.callbacks, 100 * c.callback_rate))
end

return crews
