import std/[strutils, sequtils]

let values = stdin.readLine.splitWhitespace.map(parseBiggestInt)
let sum: string = values[0] + values[1]
echo sum
