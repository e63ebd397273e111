-- A pathological pattern: backtracking takes minutes inside one C call.
return string.find(string.rep("a", 1200), ".-.-.-b")
