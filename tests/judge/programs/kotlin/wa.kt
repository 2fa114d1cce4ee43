fun main() {
    val (a, b) = readLine()!!.trim().split(" ").map { it.toLong() }
    println(maxOf(a, b))
}
