#include <iostream>
#include <stdexcept>

int main() {
    long long a = 0, b = 0;
    std::cin >> a >> b;
    throw std::runtime_error("uncaught: terminate() aborts with SIGABRT");
    std::cout << a + b << '\n';
}
