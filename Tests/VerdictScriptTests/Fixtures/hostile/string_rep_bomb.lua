-- One huge string.
return string.rep("x", 256 * 1024 * 1024)
