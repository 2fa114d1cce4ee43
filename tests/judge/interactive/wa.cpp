// Answers at once, without asking: wrong unless the secret is 1.
#include <iostream>

int main() { std::cout << "! 1" << std::endl; }
