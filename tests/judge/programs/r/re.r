input <- scan(file("stdin"), what = numeric(), quiet = TRUE)
stop("deliberate runtime error")
