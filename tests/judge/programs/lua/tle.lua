local n = io.read("n")
while n ~= -1 do
  n = (n * 3 + 1) % 1000003 + 1
end
