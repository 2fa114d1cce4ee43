import std/strutils

var n = stdin.readLine.splitWhitespace[0].parseBiggestInt
while n != -1:
  n = (n * 3 + 1) mod 1_000_003 + 1
echo n
