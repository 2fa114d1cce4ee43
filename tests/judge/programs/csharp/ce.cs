using System;

public class Program
{
    public static void Main()
    {
        string[] parts = Console.ReadLine().Split(' ');
        int sum = long.Parse(parts[0]) + long.Parse(parts[1]);
        Console.WriteLine(sum);
    }
}
