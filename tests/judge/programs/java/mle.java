// Allocates and touches 200 MiB; meant to run under a 64 MiB limit.
public class Main {
    public static void main(String[] args) {
        byte[][] blocks = new byte[25][];
        long sum = 0;
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new byte[8 << 20];
            java.util.Arrays.fill(blocks[i], (byte) 1);
            sum += blocks[i][4096];
        }
        System.out.println(sum);
    }
}
