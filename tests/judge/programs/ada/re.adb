with Ada.Text_IO;
with Ada.Long_Long_Integer_Text_IO;

procedure Main is
   A, B : Long_Long_Integer;
   Small : Integer;
begin
   Ada.Long_Long_Integer_Text_IO.Get (A);
   Ada.Long_Long_Integer_Text_IO.Get (B);
   Small := Integer (A + B);  --  Constraint_Error: 3e9 does not fit
   Ada.Text_IO.Put_Line (Integer'Image (Small));
end Main;
