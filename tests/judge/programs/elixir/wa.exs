[a, b] = IO.read(:stdio, :eof) |> String.split()
IO.puts(a <> b)
