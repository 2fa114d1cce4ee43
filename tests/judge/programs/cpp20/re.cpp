#include <iostream>
#include <vector>

int main() {
    long long a = 0, b = 0;
    std::cin >> a >> b;
    std::vector<long long> v;
    std::cout << v.at(static_cast<std::size_t>(a)) + b << '\n';  // std::out_of_range
}
