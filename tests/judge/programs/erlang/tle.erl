-module(main).
-export([main/1]).
-mode(compile).

spin(-1) -> -1;
spin(N) -> spin((N * 3 + 1) rem 1000003 + 1).

main(_Args) ->
    {ok, [N]} = io:fread("", "~d"),
    io:format("~B~n", [spin(N)]).
