input <- scan(file("stdin"), what = numeric(), quiet = TRUE)
cat(format(input[1] + input[2], scientific = FALSE), "\n", sep = "")
