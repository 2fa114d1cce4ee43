with Ada.Long_Long_Integer_Text_IO;

procedure Main is
   N : Long_Long_Integer;
begin
   Ada.Long_Long_Integer_Text_IO.Get (N);
   while N /= -1 loop
      N := (N * 3 + 1) mod 1_000_003 + 1;
   end loop;
   Ada.Long_Long_Integer_Text_IO.Put (N);
end Main;
