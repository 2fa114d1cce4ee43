import std/[strutils, sequtils]

let values = stdin.readLine.splitWhitespace.map(parseBiggestInt)
echo values[0] + values[1]
