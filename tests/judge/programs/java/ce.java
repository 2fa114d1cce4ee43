import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        long a = sc.nextLong();
        long b = sc.nextLong();
        int sum = a + b;  // lossy conversion from long to int
        System.out.println(sum);
    }
}
