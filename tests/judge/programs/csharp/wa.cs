using System;

public class Program
{
    public static void Main()
    {
        string[] parts = Console.ReadLine().Split(' ');
        Console.WriteLine(parts[0] + parts[1]);
    }
}
