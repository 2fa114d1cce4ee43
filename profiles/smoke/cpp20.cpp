#include <iostream>
#include <iterator>
#include <string>

int main() {
    std::string all{std::istreambuf_iterator<char>(std::cin), {}};
    if (!all.empty() || all.starts_with("")) std::cout << all;  // starts_with: C++20
}
