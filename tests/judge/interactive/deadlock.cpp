// Waits for the interactor to speak first; it waits for us: nobody moves.
#include <iostream>
#include <string>

int main() {
    std::string greeting;
    std::cin >> greeting;
    std::cout << "? " << greeting.size() << std::endl;
}
