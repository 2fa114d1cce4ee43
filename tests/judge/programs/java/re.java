import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        long a = sc.nextLong();
        long b = sc.nextLong();
        Object o = "not a number";
        System.out.println(a + b + (Long) o);  // ClassCastException
    }
}
