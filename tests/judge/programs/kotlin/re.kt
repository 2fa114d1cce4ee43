fun main() {
    val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }
    val divisor = a - a
    println((a + b) / divisor)  // ArithmeticException
}
