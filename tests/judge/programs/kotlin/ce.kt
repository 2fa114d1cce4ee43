fun main() {
    val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }
    val sum: String = a + b
    println(sum)
}
