#include <iostream>
#include <numeric>
#include <ranges>
#include <vector>

int main() {
    std::vector<long long> values(2);
    for (auto& v : values) std::cin >> v;
    auto positive = values | std::views::filter([](long long v) { return v != 0; });
    std::cout << std::accumulate(positive.begin(), positive.end(), 0LL) << '\n';
}
