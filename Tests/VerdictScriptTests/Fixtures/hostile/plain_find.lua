-- Plain find of a long near-miss needle: linear with memmem, quadratic naively.
local hay = string.rep("a", 4 * 1024 * 1024)
local needle = string.rep("a", 1024 * 1024) .. "b"
return string.find(hay, needle, 1, true)
