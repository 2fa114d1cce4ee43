lines <- readLines(file("stdin"))
writeLines(lines)
