#include <atomic>
#include <iostream>

int main() {
    long long a = 0, b = 0;
    std::cin >> a >> b;
    std::atomic<unsigned long long> spin{0};
    for (;;) spin.fetch_add(1, std::memory_order_relaxed);
}
