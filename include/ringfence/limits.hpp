// Resource limits of one sandboxed run. Every field is a hard ceiling that the
// launcher enforces with the strongest mechanism the host offers (cgroups first,
// rlimits as a backstop).
#pragma once

#include <cstdint>
#include <string>

namespace ringfence {

struct Limits {
    std::uint64_t cpu_time_ms = 10'000;        // all processes and threads together
    std::uint64_t wall_time_ms = 20'000;
    std::uint64_t memory_kib = 512 * 1024;     // whole run, all processes; swap disabled
    std::uint32_t processes = 64;              // processes + threads alive at once
    std::uint64_t output_bytes = 16 << 20;     // per captured stream (stdout, stderr)
    std::uint64_t file_size_bytes = 64 << 20;  // largest file the program may write
    std::uint64_t stack_kib = 0;               // 0: as large as the memory limit
    std::uint32_t open_files = 256;
    std::uint64_t box_size_kib = 64 * 1024;    // tmpfs /box and /tmp, each (when no workdir)
};

// Human-readable problem with a limit value, or empty when the values are usable.
std::string validate(const Limits& limits);

}  // namespace ringfence
