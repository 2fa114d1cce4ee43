// The sandbox's init (PID 1 of its namespaces) and the program process it forks.
//
// Both live in the init executable (init_main.cpp), never in the supervisor.
// Past setup they allocate nothing: every buffer is in the ChildPlan, so a run
// costs only the system calls it needs.
#pragma once

#include <sys/capability.h>

#include <cstddef>
#include <cstdint>

#include "mount_plan.hpp"
#include "seccomp_policy.hpp"

namespace ringfence {

struct ChildPlan {
    const MountPlan* mounts = nullptr;
    const SeccompProgram* seccomp = nullptr;
    cap_t no_capabilities = nullptr;  // an all-clear capability state (cap_init)
    int ctl_fd = -1;    // init's end of the control socket
    int server_pidfd = -1;  // the init server's, until the parent-death signal is armed for good
    bool root_mode = false;      // ids: init is 0 inside, the program kSandboxUid (two host ids)
    bool use_landlock = false;
    bool allow_network = false;
    bool unshare_cgroup_ns = false;  // when not born into its cgroup (v1): root the cgroup ns there
    const char* hostname = "ringfence";

    // Scratch space.
    char* message = nullptr;          // receives the run request
    std::size_t message_capacity = 0;
    char** argv = nullptr;            // kMaxArgs + 1 entries each
    char** envp = nullptr;
    char* path_buffer = nullptr;      // PATH search and mkdir -p
    std::size_t path_buffer_size = 0;
};

// Runs the init (its id maps are in place): builds the tree, forks the program's
// process, reports `ready`, then serves exactly one run request and exits when the
// program does. Never returns.
[[noreturn]] void run_init(ChildPlan& plan) noexcept;

// The program's process, forked by the init while the sandbox is prepared and
// confined at once (uid, capabilities, no_new_privs, seccomp): a run only hands
// it stdio, argv and limits over `init_sock`, and it execs. Never returns.
[[noreturn]] void run_program_process(ChildPlan& plan, int init_sock, int landlock_fd) noexcept;

}  // namespace ringfence
