-- string.rep with a separator, past the memory cap: a memory error, not a huge allocation.
return ("x"):rep(1e9, "y")
