program echo
  implicit none
  character(len=4096) :: line
  integer :: status
  do
    read (*, '(A)', iostat=status) line
    if (status /= 0) exit
    write (*, '(A)') trim(line)
  end do
end program echo
