import java.util.Scanner;

public class Main {
    static volatile long spin;

    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        long a = sc.nextLong();
        while (a != Long.MIN_VALUE + 1) spin++;
        System.out.println(a);
    }
}
