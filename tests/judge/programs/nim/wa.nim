import std/strutils

let values = stdin.readLine.splitWhitespace
echo values[0] & values[1]
