#lang racket/base
(define (spin n)
  (if (= n -1) n (spin (+ (modulo (+ (* n 3) 1) 1000003) 1))))
(displayln (spin (read)))
