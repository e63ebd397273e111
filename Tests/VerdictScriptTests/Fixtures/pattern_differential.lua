-- Differential test of the sandbox's guarded pattern functions against Lua's own.
--
-- `string` here is the sandbox's (guarded) library; `stock` is the string library exactly as
-- Lua ships it. Every case runs through both, results and error messages are compared, and
-- the list of differences is returned (empty when they agree). Cases are hand-picked corner
-- cases plus patterns generated from a seeded random grammar.

local function pack(...) return { n = select("#", ...), ... } end

local function normalise_error(message)
  message = tostring(message)
  message = message:gsub("^[^:]*:%d+: ", "")           -- location
  message = message:gsub("to '[^']*'", "to 'F'")       -- function names in argument errors
  return message
end

local function outcome(f, ...)
  local result = pack(pcall(f, ...))
  if not result[1] then return "error: " .. normalise_error(result[2]) end
  local parts = {}
  for i = 2, result.n do parts[#parts + 1] = type(result[i]) .. ":" .. tostring(result[i]) end
  return table.concat(parts, ",")
end

local function collect_gmatch(lib, s, p, init)
  local items = {}
  for a, b, c in lib.gmatch(s, p, init) do
    items[#items + 1] = tostring(a) .. "|" .. tostring(b) .. "|" .. tostring(c)
    if #items > 200 then break end
  end
  return table.concat(items, ";")
end

local differences = {}
local compared = 0

local function compare(label, a, b)
  compared = compared + 1
  if a ~= b then
    differences[#differences + 1] = label .. "\n  guarded: " .. a .. "\n  stock:   " .. b
  end
end

local function check(s, p, init, repl)
  local where = string.format("s=%q p=%q init=%s", s, p, tostring(init))
  compare("find " .. where, outcome(string.find, s, p, init), outcome(stock.find, s, p, init))
  compare("find plain " .. where, outcome(string.find, s, p, init, true), outcome(stock.find, s, p, init, true))
  compare("match " .. where, outcome(string.match, s, p, init), outcome(stock.match, s, p, init))
  compare("gmatch " .. where, outcome(collect_gmatch, string, s, p, init), outcome(collect_gmatch, stock, s, p, init))
  for _, r in ipairs(repl) do
    compare("gsub " .. where .. " repl=" .. tostring(r),
      outcome(string.gsub, s, p, r), outcome(stock.gsub, s, p, r))
    compare("gsub max " .. where, outcome(string.gsub, s, p, r, 1), outcome(stock.gsub, s, p, r, 1))
  end
end

local replacements = {
  "<%0>", "%1-%2", "%%", "x%", "%9", "", 7,
  { a = "A", ab = false, ["1"] = "one" },
  function(a, b) if a == "b" then return nil end return "[" .. tostring(a) .. tostring(b or "") .. "]" end,
}

-- Hand-picked corner cases.
local subjects = {
  "", "a", "aaa", "abcabc", "hello world", "  trim me  ", "(foo(bar))baz", "THE (quick) fox",
  "key = value; other=2", "x\0y\0z", "2026-11-21T08:00:00Z", "a.b.c", "[]^$%", "ééa",
}
local patterns = {
  "", "a", "a*", "a+", "a-", "a?", ".", ".-", "^a", "a$", "^$", "^", "$", "%a+", "%d+", "%s*",
  "%w+", "%W", "%p", "%u%l*", "%x+", "[abc]", "[^abc]", "[a-c]+", "[%a_][%w_]*", "[]]", "[^]]",
  "[a-]", "[-a]", "()a()", "(a)(b)", "(a*(.)%w(%s*))", "%b()", "%bxy", "%f[%w]%w+", "%f[%W]",
  "(%w+)%s*=%s*(%w+)", "(.)%1", "((a)%2)", "^(%s*)(.-)(%s*)$", "a.b", "%.", "%%", "x%z",
  "[%]]", "(()", "())", "%1", "(%1)", "[a", "[^", "%", "(", ")", "%b", "%f", "%fa", "%g+",
  "%c", "[%d-]+", "[a-%d]", "a-b", "^(%d+)-(%d+)-(%d+)T", "\0", "%z", "[\0]", "%B()",
}
local inits = { n = 7, nil, 1, 2, 0, -1, -3, 100 }

for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    for i = 1, inits.n do check(s, p, inits[i], i == 1 and replacements or {}) end
  end
end

-- Generated cases: random patterns from a small grammar over a small alphabet.
math.randomseed(20261121)
local atoms = { "a", "b", ".", "%a", "%d", "[ab]", "[^a]", "[a-c]", "%s", "(", ")", "()", "%1",
  "%b()", "%f[a]", "x", " " }
local quantifiers = { "", "", "", "*", "+", "-", "?" }
local alphabet = { "a", "b", "c", "(", ")", " ", "1", "x" }

for _ = 1, 3000 do
  local parts = {}
  if math.random() < 0.2 then parts[1] = "^" end
  for _ = 1, math.random(1, 5) do
    parts[#parts + 1] = atoms[math.random(#atoms)] .. quantifiers[math.random(#quantifiers)]
  end
  if math.random() < 0.2 then parts[#parts + 1] = "$" end
  local chars = {}
  for _ = 1, math.random(0, 12) do chars[#chars + 1] = alphabet[math.random(#alphabet)] end
  check(table.concat(chars), table.concat(parts), math.random(-3, 4), { "<%0>", "%1" })
end

return { compared = compared, differences = differences }
