#include <iostream>
#include <span>

int main() {
    long long v[2] = {0, 0};
    std::cin >> v[0] >> v[1];
    std::span<long long> s(v);
    std::cout << s.front() << '\n';  // prints a, not a+b
}
