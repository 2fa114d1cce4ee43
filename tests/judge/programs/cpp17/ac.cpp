#include <iostream>

int main() {
    std::ios::sync_with_stdio(false);
    long long a = 0, b = 0;
    std::cin >> a >> b;
    if (auto sum = a + b; std::cin) std::cout << sum << '\n';  // C++17 if-init
    return 0;
}
