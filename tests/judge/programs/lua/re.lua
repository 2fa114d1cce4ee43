local a, b = io.read("n", "n")
local t = nil
print(t.sum + a + b)
