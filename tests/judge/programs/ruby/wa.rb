a, b = gets.split
puts a + b
