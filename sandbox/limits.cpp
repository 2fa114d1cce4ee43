#include "ringfence/limits.hpp"

namespace ringfence {

std::string validate(const Limits& limits) {
    if (limits.cpu_time_ms == 0) return "cpu time limit must be positive";
    if (limits.wall_time_ms == 0) return "wall time limit must be positive";
    if (limits.memory_kib < 1024) return "memory limit must be at least 1 MiB";
    if (limits.memory_kib > (std::uint64_t{1} << 40)) return "memory limit is above 1 PiB";
    if (limits.processes == 0) return "process limit must be at least 1";
    if (limits.open_files < 4) return "open file limit must be at least 4";
    if (limits.box_size_kib < 64) return "box size must be at least 64 KiB";
    if (limits.cpu_time_ms > 24ull * 3600 * 1000) return "cpu time limit is above 24 hours";
    if (limits.wall_time_ms > 24ull * 3600 * 1000) return "wall time limit is above 24 hours";
    return {};
}

}  // namespace ringfence
