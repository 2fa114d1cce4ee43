// Hands a host directory tree to a sandbox uid and back, without ever
// following a symlink the sandboxed program could have planted.
#pragma once

#include <sys/types.h>

#include "ringfence/error.hpp"

namespace ringfence {

// Recursively lchown's everything below and including the directory `dir_fd`
// refers to. Never follows symlinks, never leaves the tree (O_NOFOLLOW at every
// level), gives up past `max_entries` entries.
Result<void> chown_tree(int dir_fd, uid_t uid, gid_t gid, std::size_t max_entries = 1'000'000);

}  // namespace ringfence
