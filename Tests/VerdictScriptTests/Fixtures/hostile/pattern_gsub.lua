-- The same pattern through gsub.
return (string.rep("a", 1200)):gsub(".-.-.-b", "")
