import std.stdio;

void main()
{
    long a, b;
    readf(" %d %d", &a, &b);
    throw new Exception("deliberate runtime error");
}
