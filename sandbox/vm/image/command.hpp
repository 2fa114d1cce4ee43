// Runs the host tools the image builder needs (dpkg-query, mksquashfs, the
// kernel's decompressor) without a shell: argv as given, no word splitting.
#pragma once

#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence::vm::image {

struct CommandOutput {
    int exit_code = 0;
    std::string out;  // stdout (when captured)
    std::string err;  // stderr, capped
};

// Runs argv (argv[0] looked up in PATH), stdin from `stdin_path` (or
// /dev/null), stdout into `stdout_path` when given, else captured.
Result<CommandOutput> run_command(const std::vector<std::string>& argv, const std::string& stdin_path = {},
                                  const std::string& stdout_path = {});

// As run_command, but a non-zero exit is an error quoting stderr.
Result<std::string> run_checked(const std::vector<std::string>& argv, const std::string& stdin_path = {},
                                const std::string& stdout_path = {});

}  // namespace ringfence::vm::image
