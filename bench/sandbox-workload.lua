-- A plugin-like workload for the sandbox benchmark: parse job-export lines with patterns,
-- shift and sort tables, and do arithmetic. It runs unchanged under stock lua5.4 and under
-- `verdict lua`; bench/run times both.
local lines = {}
for i = 1, 60000 do
  lines[i] = string.format("2026-11-%02d,crew-%d,job_%d,%d.%02d,%s", i % 28 + 1, i % 7, i,
    100 + i % 900, i % 100, i % 5 == 0 and "callback" or "job_completed")
end

local totals, callbacks, words = {}, 0, 0
for round = 1, 3 do
  for _, line in ipairs(lines) do
    local day, crew, job, amount, event = line:match("^(%d+%-%d+%-%d+),([%w%-]+),([%w_]+),([%d%.]+),(%w[%w_]*)$")
    totals[crew] = (totals[crew] or 0) + tonumber(amount)
    if event:find("callback", 1, true) then callbacks = callbacks + 1 end
    for _ in line:gmatch("[^,]+") do words = words + 1 end
  end
  local cleaned = table.concat(lines, "\n", 1, 5000):gsub("crew%-(%d)", "C%1")
  words = words + #cleaned
end

local queue = {}
for i = 1, 20000 do table.insert(queue, 1, i) end
for _ = 1, 10000 do table.remove(queue, 1) end
table.move(queue, 1, #queue, 2)
table.sort(queue, function(a, b) return a > b end)

local sum = 0.0
for i = 1, 3000000 do sum = sum + (i % 13) * 0.5 end

return { callbacks = callbacks, words = words, queue = #queue, sum = sum, crews = totals["crew-3"] > 0 }
