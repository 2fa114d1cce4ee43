#include <concepts>
#include <iostream>

template <std::integral T>
T add(T a, T b) { return a + b; }

int main() {
    double a = 0, b = 0;
    std::cin >> a >> b;
    std::cout << add(a, b) << '\n';  // double does not satisfy std::integral
}
