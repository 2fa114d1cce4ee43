(let ((a (read)) (b (read)))
  (format t "~R~%" (+ a b)))
