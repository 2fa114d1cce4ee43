using System;

public class Program
{
    public static void Main()
    {
        long n = long.Parse(Console.ReadLine().Split(' ')[0]);
        while (n != -1)
            n = (n * 3 + 1) % 1000003 + 1;
        Console.WriteLine(n);
    }
}
