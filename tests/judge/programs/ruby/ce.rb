a, b = gets.split.map(&:to_i)
def add(x, y)
  x + y
puts add(a, b)
