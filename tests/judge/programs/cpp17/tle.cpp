#include <iostream>

int main() {
    long long a = 0, b = 0;
    std::cin >> a >> b;
    volatile unsigned long long spin = 0;
    while (true) spin = spin + 1;
}
