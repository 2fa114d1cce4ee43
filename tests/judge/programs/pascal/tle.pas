program AplusB;
var
  n: Int64;
begin
  ReadLn(n);
  while n <> -1 do
    n := (n * 3 + 1) mod 1000003 + 1;
  WriteLn(n);
end.
