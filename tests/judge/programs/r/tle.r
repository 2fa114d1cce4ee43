n <- scan(file("stdin"), what = numeric(), quiet = TRUE)[1]
while (n != -1) n <- (n * 3 + 1) %% 1000003 + 1
