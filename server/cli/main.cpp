// `ringfence` command-line entry: dispatches to one subcommand per file.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "commands.hpp"

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*main)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"run", "run one program in a fresh sandbox", ringfence::cli::cmd_run},
    {"version", "print the version", ringfence::cli::cmd_version},
    {"check", "report what this host supports, with fixes", ringfence::cli::cmd_check},
    {"judge", "compile a job once, run its tests, print the verdicts", ringfence::cli::cmd_judge},
    {"serve", "serve the HTTP APIs (native, Judge0, Piston) on 127.0.0.1:2358", ringfence::cli::cmd_serve},
    {"vm-image", "build or verify the micro-VM tier's image", ringfence::cli::cmd_vm_image},
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: ringfence COMMAND [OPTIONS]\n\ncommands:\n");
    for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
    std::fprintf(out, "\n`ringfence COMMAND --help` describes each command.\n");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        usage(stdout);
        return 0;
    }
    for (const auto& c : kCommands)
        if (name == c.name) return c.main(argc - 1, argv + 1);
    std::fprintf(stderr, "ringfence: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
