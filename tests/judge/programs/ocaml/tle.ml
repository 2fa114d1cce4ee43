let rec spin n = if n = -1 then n else spin ((n * 3 + 1) mod 1000003 + 1)
let () = Scanf.scanf " %d" (fun a -> Printf.printf "%d\n" (spin a))
