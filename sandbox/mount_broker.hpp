// Detached copies of host directories, for attaching inside a sandbox.
//
// As root the launcher calls open_tree(OPEN_TREE_CLONE) itself. Without root
// the kernel refuses that in the host's mount namespace, so a small broker
// process, living in a user and mount namespace of its own (a copy of the
// host's tree, where it holds CAP_SYS_ADMIN), clones the trees instead and
// passes them back. Paths are resolved with the caller's own uid either way,
// so a bind never reaches what the caller could not read.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <string>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence {

class MountBroker {
public:
    explicit MountBroker(bool root_mode) : root_mode_(root_mode) {}
    ~MountBroker();
    MountBroker(const MountBroker&) = delete;
    MountBroker& operator=(const MountBroker&) = delete;

    // A detached recursive clone of `host_path`, ready for move_mount. Thread-safe.
    Result<UniqueFd> clone_tree(const std::string& host_path);

private:
    Result<void> start();  // mutex held
    void stop();           // mutex held

    const bool root_mode_;
    std::mutex mutex_;
    UniqueFd socket_;
    UniqueFd pidfd_;
};

}  // namespace ringfence
