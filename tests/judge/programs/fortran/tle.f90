program aplusb
  implicit none
  integer(kind=8) :: n
  read (*, *) n
  do while (n /= -1)
    n = mod(n * 3 + 1, 1000003_8) + 1
  end do
  write (*, '(I0)') n
end program aplusb
