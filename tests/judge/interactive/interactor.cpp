// Guessing-game interactor (README.md): exit 0 accepted, 1 wrong answer, 3 failure.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
    if (argc < 2) return 3;
    std::FILE* input = std::fopen(argv[1], "r");
    long secret = 0;
    if (!input || std::fscanf(input, "%ld", &secret) != 1) {
        std::fprintf(stderr, "cannot read the secret from %s\n", argv[1]);
        return 3;
    }
    char op[4];
    long x = 0;
    for (int questions = 0;; ++questions) {
        if (std::scanf("%3s %ld", op, &x) != 2) {
            std::fprintf(stderr, "unexpected end of input after %d questions\n", questions);
            return 1;
        }
        if (std::strcmp(op, "!") == 0) {
            if (x == secret) {
                std::fprintf(stderr, "found %ld in %d questions\n", secret, questions);
                return 0;
            }
            std::fprintf(stderr, "answered %ld, the number was %ld\n", x, secret);
            return 1;
        }
        if (std::strcmp(op, "?") != 0 || questions >= 25) {
            std::fprintf(stderr, "bad or too many questions\n");
            return 1;
        }
        std::printf("%s\n", secret < x ? "<" : secret > x ? ">" : "=");
        std::fflush(stdout);
    }
}
