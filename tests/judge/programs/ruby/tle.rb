n = gets.split.first.to_i
n = (n * 3 + 1) % 1000003 + 1 while n != -1
