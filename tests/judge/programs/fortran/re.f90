program aplusb
  implicit none
  integer(kind=8) :: a, b
  read (*, *) a, b
  if (a + b > 0) error stop 3
  write (*, '(I0)') a + b
end program aplusb
