#include <cstdio>

#include "commands.hpp"

namespace ringfence::cli {

int cmd_version(int, char**) {
    std::printf("ringfence %s\n", RINGFENCE_VERSION);
    return 0;
}

}  // namespace ringfence::cli
