IO.read(:stdio, :eof) |> IO.write()
