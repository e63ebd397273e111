-- Quadratic: %b() tried from every position of a long run of "(".
return string.find(string.rep("(", 400000), "%b()")
