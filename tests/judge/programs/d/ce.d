import std.stdio;

void main()
{
    long a, b;
    readf(" %d %d", &a, &b);
    string s = a + b;
    writeln(s);
}
