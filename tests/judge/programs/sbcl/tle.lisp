(let ((n (read)))
  (loop until (= n -1)
        do (setf n (+ (mod (+ (* n 3) 1) 1000003) 1)))
  (print n))
