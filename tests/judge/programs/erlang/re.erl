-module(main).
-export([main/1]).
-mode(compile).

main(_Args) ->
    {ok, [A, B]} = io:fread("", "~d ~d"),
    io:format("~B~n", [(A + B) div (A - A)]).
