// One sandbox: namespaces, mount tree and cgroup built, init waiting for the
// single run it will ever serve. Built ahead of time (the pool) or on demand.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>

#include "cgroup.hpp"
#include "ringfence/launcher.hpp"
#include "sandbox_context.hpp"
#include "uid_pool.hpp"
#include "unique_fd.hpp"

namespace ringfence {

class PreparedSandbox {
public:
    static Result<std::unique_ptr<PreparedSandbox>> prepare(SandboxContext& context,
                                                            const SandboxShape& shape);
    ~PreparedSandbox();  // kills whatever is left, removes the cgroup, frees the uid

    PreparedSandbox(const PreparedSandbox&) = delete;
    PreparedSandbox& operator=(const PreparedSandbox&) = delete;

    // Serves the one run this sandbox exists for (supervisor.cpp).
    RunResult run(const RunSpec& spec, CancelToken* cancel);

    const SandboxShape& shape() const { return shape_; }
    std::uint64_t prepare_us() const { return prepare_us_; }
    bool alive() const;  // init still waiting (pooled sandboxes are checked before use)

private:
    PreparedSandbox(SandboxContext& context, SandboxShape shape);
    void kill_and_reap();

    SandboxContext& context_;
    SandboxShape shape_;
    UidLease uid_;
    std::unique_ptr<CgroupGroup> cgroup_;
    UniqueFd pidfd_;
    UniqueFd ctl_;
    UniqueFd box_dir_;   // the sandbox's /box tmpfs, for files placed before the run
    UniqueFd listener_;  // seccomp notifications of the program's process
    UniqueFd program_ctl_;  // straight to the program's process: runs without binds go here
    pid_t pid_ = -1;
    bool reaped_ = false;
    std::uint64_t prepare_us_ = 0;

    friend class Supervisor;
};

}  // namespace ringfence
