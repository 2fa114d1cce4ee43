// The sandbox's filesystem, planned in the parent (where allocating and
// inspecting the host is safe) and applied by the init after clone (where it
// is not). The plan is an ordered list of small operations on absolute paths
// under the staging mount point; the init executes them blindly, then pivots.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "ringfence/profile.hpp"

namespace ringfence {

inline constexpr unsigned kSandboxUid = 1000;  // the program's uid inside
inline constexpr unsigned kSandboxGid = 1000;

struct MountOp {
    enum class Kind {
        make_dir,    // mkdir path (mode)
        make_file,   // create an empty file at path (a bind target)
        symlink,     // symlink source -> path
        write_file,  // create path with content `source` (mode)
        bind,        // bind source on path (recursive)
        tmpfs,       // tmpfs on path, options in `source`, mount flags in `flags`
        proc,        // procfs on path, options in `source`
        set_attr,    // mount_setattr(path, attr_set, recursive)
    };
    Kind kind;
    std::string path;
    std::string source;
    unsigned long flags = 0;
    std::uint64_t attr_set = 0;
    bool recursive = false;
    unsigned mode = 0755;
};

struct MountPlan {
    std::string staging;          // where the new root's tmpfs is mounted before pivot_root
    std::vector<MountOp> ops;
    // Paths inside the sandbox (after pivot_root) for the Landlock ruleset.
    std::vector<std::string> writable_dirs;  // "/box", "/tmp", "/dev/shm"
};

struct MountPlanOptions {
    std::string staging;                // an empty directory reserved for this
    std::uint64_t box_size_kib = 65536;  // each of /box, /tmp, /dev/shm
    std::string host_root;               // "" for "/": tests point this at a fake tree
};

// Plans the tree for a profile. A missing required mount source is a setup error.
Result<MountPlan> plan_mounts(const SecurityProfile& profile, const MountPlanOptions& options);

}  // namespace ringfence
