-- The same pattern through the string metatable.
return (("a"):rep(1200)):match(".-.-.-b")
