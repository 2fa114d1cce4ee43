input <- scan(file("stdin"), what = numeric(), quiet = TRUE)
cat(input[1] + input[2], "\n")
