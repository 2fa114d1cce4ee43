defmodule Spin do
  def run(-1), do: -1
  def run(n), do: run(rem(n * 3 + 1, 1_000_003) + 1)
end

[n | _] = IO.read(:stdio, :eof) |> String.split() |> Enum.map(&String.to_integer/1)
IO.puts(Spin.run(n))
