// How detect_cgroups() reads the host, split out so tests can feed it a fake
// mountinfo and a fake cgroupfs tree, and `ringfence check` can explain it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup.hpp"
#include "ringfence/error.hpp"
#include "ringfence/host_check.hpp"

namespace ringfence::cgroup {

struct Mounts {
    std::string v2;                         // cgroup2 mount point ("" when none)
    std::map<std::string, std::string> v1;  // v1 controller -> its mount point
    // Mount points are host paths with CgroupOptions::fs_prefix in front.
};

// Parses /proc/self/mountinfo text. A co-mounted `cpu,cpuacct` hierarchy maps
// both controllers to the same mount point.
Mounts parse_mountinfo(std::string_view text, const std::string& fs_prefix);
Result<Mounts> read_mounts(const std::string& fs_prefix);

// The caller's identity as detection sees it.
struct DetectHost {
    bool privileged = false;  // euid 0: may create `ringfence` subtrees and enable controllers
    std::string env_root;     // RINGFENCE_CGROUP_ROOT, "" when unset
    std::string user;         // for the chown in fix messages
};
DetectHost current_detect_host();

Result<std::unique_ptr<CgroupBackend>> detect_cgroups(const CgroupOptions& options,
                                                      const DetectHost& host);

// The controllers the v2 mount's root offers ("" when unreadable or none).
std::string v2_offered_controllers(const Mounts& mounts);

// `ringfence check`'s cgroup findings: cgroup v2 and v1 as mounted, whether
// detection yields a backend whose probe group can be created, limited, read
// and removed (required), and whether the memory peak can be reset.
std::vector<HostFinding> check_cgroups(const CgroupOptions& options, const DetectHost& host);

}  // namespace ringfence::cgroup
