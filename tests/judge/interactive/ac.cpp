// Binary search: at most 20 questions for 1..1000000.
#include <iostream>
#include <string>

int main() {
    long lo = 1, hi = 1000000;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        std::cout << "? " << mid << std::endl;
        std::string reply;
        if (!(std::cin >> reply)) return 0;
        if (reply == "=") { lo = hi = mid; break; }
        if (reply == "<") hi = mid - 1; else lo = mid + 1;
    }
    std::cout << "! " << lo << std::endl;
}
