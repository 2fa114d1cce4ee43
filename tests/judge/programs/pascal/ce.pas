program AplusB;
var
  a, b: Int64;
begin
  ReadLn(a, b);
  WriteLn(a + c);
end.
