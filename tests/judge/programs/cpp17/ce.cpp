#include <iostream>
#include <string>

int main() {
    long long a = 0, b = 0;
    std::cin >> a >> b;
    std::string s = a + b;  // no conversion from long long to std::string
    std::cout << s << '\n';
}
