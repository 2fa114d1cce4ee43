// What the sandbox init needs to know about a sandbox's shape (its mount plan
// and seccomp program), as bytes: the init is its own executable now (see
// init_image.hpp), so the plan crosses a process boundary. Encoded once per shape into
// a sealed memfd the init reads; decoding checks every length against the
// buffer, so a damaged plan is refused, never half-applied.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mount_plan.hpp"
#include "seccomp_policy.hpp"

namespace ringfence {

struct InitPlan {
    MountPlan mounts;
    SeccompProgram seccomp;
};

// The few per-sandbox choices, passed in the request to the init server.
struct InitFlags {
    bool root_mode = false;          // init is 0 inside, the program kSandboxUid (two host ids)
    bool use_landlock = false;
    bool allow_network = false;
    bool unshare_cgroup_ns = false;  // not born into its cgroup (v1): root the cgroup ns there
};
unsigned encode_init_flags(const InitFlags& flags) noexcept;
InitFlags decode_init_flags(unsigned bits) noexcept;

std::string encode_init_plan(const MountPlan& mounts, const SeccompProgram& seccomp);
std::optional<InitPlan> decode_init_plan(std::string_view bytes);

}  // namespace ringfence
