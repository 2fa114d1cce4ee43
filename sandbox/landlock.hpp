// Landlock: a second wall behind the mount namespace. The init builds the
// ruleset once the sandbox's tree is in place; the program enforces it on
// itself just before exec. Both run after clone: no allocation here.
#pragma once

namespace ringfence::landlock {

// Highest Landlock ABI the running kernel supports, 0 when unavailable.
int abi_version() noexcept;

struct Paths {
    const char* const* writable;  // nullptr-terminated: full write access beneath
    const char* device_dir;       // "/dev": may write and ioctl device files, nothing else
};

// Builds a ruleset: read and execute anywhere in the (already pivoted) tree,
// write only beneath `paths.writable`, no device creation, no TCP bind/connect
// unless `allow_network`, and abstract unix sockets and signals scoped to the
// sandbox. Returns the ruleset fd, or -errno. Returns -ENOSYS without Landlock.
int build_ruleset(const Paths& paths, bool allow_network) noexcept;

// Adds full write access beneath `path` to a ruleset not yet enforced. Needed
// for writable mounts attached after the ruleset was built: Landlock ignores
// rules on mount points that another mount covers. 0 or -errno.
int allow_writes_beneath(int ruleset_fd, const char* path) noexcept;

// Enforces a ruleset on the calling process (no_new_privs must be set). 0 or -errno.
int restrict_self(int ruleset_fd) noexcept;

}  // namespace ringfence::landlock
