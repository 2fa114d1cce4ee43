-module(main).
-export([main/1]).
-mode(compile).

main(_Args) ->
    copy().

copy() ->
    case io:get_line("") of
        eof -> ok;
        Line -> io:put_chars(Line), copy()
    end.
