@Volatile var spin = 0L

fun main() {
    val a = readLine()!!.trim().split(" ")[0].toLong()
    while (a != Long.MIN_VALUE + 1) spin++
}
