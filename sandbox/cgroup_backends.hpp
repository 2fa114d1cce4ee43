// Internals of the two cgroup backends that detection and tests need.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cgroup_files.hpp"
#include "ringfence/error.hpp"

namespace ringfence::cgroup {

// v2: makes memory and pids (and cpu when offered) available to the children of
// `dir` by writing "+memory +pids +cpu" to its cgroup.subtree_control (only the
// ones not enabled yet). Fails with the fix when `dir` cannot offer them.
Result<void> enable_subtree_controllers(const Dir& dir);

// v1: the writes that set a memory limit of `limit_bytes` (0: unlimited) with
// swap counted, in an order the kernel accepts: it insists on
// memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every moment.
struct FileWrite {
    std::string file;
    std::string value;
};
struct V1MemoryState {
    bool has_memsw = true;                       // memory.memsw.* exists (swap accounting on)
    std::uint64_t memsw_limit_bytes = kUnlimited;  // its current value
    bool swap_active = false;                    // the host has swap
};
Result<std::vector<FileWrite>> plan_v1_memory_limit(std::uint64_t limit_bytes,
                                                    const V1MemoryState& state);

}  // namespace ringfence::cgroup
