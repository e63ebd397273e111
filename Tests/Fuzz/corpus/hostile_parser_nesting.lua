-- The parser's own limits: deep nesting, long chains, many locals, a huge constant table.
local checks = {
  "return " .. ("("):rep(100000) .. "1" .. (")"):rep(100000),
  "return " .. ("{"):rep(100000) .. ("}"):rep(100000),
  "local x = 1" .. (" + x"):rep(200000),
  "local a" .. (", a"):rep(300) .. " = 1",
  "return " .. ("-"):rep(100000) .. "1",
  "return " .. ("not "):rep(100000) .. "true",
  ("do "):rep(100000) .. ("end "):rep(100000),
  "return {" .. ("1,"):rep(300000) .. "}",
  "return 'unfinished",
  "goto nowhere",
  "local x <const> = 1; x = 2",
  "local x <close> = 1",
  "return 0x" .. ("f"):rep(1000) .. ", 1e" .. ("9"):rep(1000),
}
for _, text in ipairs(checks) do pcall(load, text, "=nesting") end
return #checks
