// The sandbox init executable (embedded in the library, see init_image.hpp).
//   ringfence-init serve SOCKET_FD
// It runs as the init server (init_server.hpp), which forks every sandbox's
// init straight into its new namespaces (init_server_loop.cpp).
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "init_entry.hpp"

namespace {

bool parse_number(const char* text, unsigned long& out) {
    if (!text || !*text) return false;
    char* end = nullptr;
    errno = 0;
    out = std::strtoul(text, &end, 10);
    return errno == 0 && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
    // The server stays dumpable, unlike each init (run_init): a non-dumpable
    // parent would hand its children's /proc files to root from birth, and a
    // rootless supervisor could not write their id maps. No sandbox can reach
    // the server: it lives outside every sandbox's pid namespace.
    unsigned long sock = 0;
    if (argc != 3 || std::strcmp(argv[1], "serve") != 0 || !parse_number(argv[2], sock) || sock < 3 ||
        sock > 1 << 20)
        return 2;  // not started by the library: there is nobody to report to
    return ringfence::serve_init_requests(static_cast<int>(sock));
}
