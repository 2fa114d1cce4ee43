// The init server: one process per Launcher, run from the sealed init image
// (init_image.hpp), that forks every sandbox's init on request.
//
// Why: an init exec'd per sandbox paid for an execve and the static libc's
// start-up every time. On the test host that was about 1 ms of a 4.7 ms
// prepare, most of it CPUID instructions in libc's CPU-feature probing, which
// trap to the hypervisor under virtualisation. Forking a small process that
// is already running costs a fraction of that and copies almost nothing.
//
// The server runs in the supervisor's namespaces with its privileges. It holds
// nothing but its socket (stdio is /dev/null), and it leaves when the socket
// closes, that is when the supervisor is gone; every init it forked dies with
// it (PR_SET_PDEATHSIG), taking its sandbox along.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <mutex>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence {

class InitServer {
public:
    explicit InitServer(UniqueFd image) : image_(std::move(image)) {}
    ~InitServer();
    InitServer(const InitServer&) = delete;
    InitServer& operator=(const InitServer&) = delete;

    struct Init {
        pid_t pid = -1;  // in our pid namespace
        UniqueFd pidfd;  // not our child: watch and signal it, the server reaps it
    };
    struct Request {
        std::uint64_t namespace_flags = 0;  // CLONE_NEW*
        unsigned init_flags = 0;            // encode_init_flags()
        int ctl_fd = -1;                    // the init's end of its control socket
        int plan_fd = -1;                   // sealed plan memfd
        int sync_fd = -1;                   // read end: one byte once the id maps are written
        int cgroup_fd = -1;                 // born into this cgroup when >= 0 (CLONE_INTO_CGROUP)
        // Or, on cgroup v1, the group's `tasks` files (CgroupGroup::open_join_files):
        // the init writes "0" to each once its id maps are written, before anything else.
        std::array<int, 3> join_fds{-1, -1, -1};
        bool may_reuse_netns = false;       // with CLONE_NEWNET: see init_server::Request
    };
    // A new init, cloned into its namespaces and waiting on sync_fd. Starts
    // the server on first use, and again once if it has died.
    Result<Init> spawn(const Request& request);

private:
    Result<void> start_locked();
    void stop_locked();
    Result<Init> ask_locked(const Request& request, bool& server_gone);

    std::mutex mutex_;
    UniqueFd image_;
    UniqueFd sock_;
    UniqueFd server_pidfd_;
};

}  // namespace ringfence
