import std.stdio;

void main()
{
    long n;
    readf(" %d", &n);
    while (n != -1)
        n = (n * 3 + 1) % 1_000_003 + 1;
    writeln(n);
}
