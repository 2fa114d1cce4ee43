program AplusB;
var
  a, b, zero: Int64;
begin
  ReadLn(a, b);
  zero := a - a;
  WriteLn((a + b) div zero);  { runtime error 200: division by zero }
end.
