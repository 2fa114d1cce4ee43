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
    // `expected` is a guess at the limits of the run to come (a pool learns it
    // from the shape's last run): when it is right, the run finds its cgroup
    // limits already in force and skips those writes, the costliest step of
    // its start (about 170 us on cgroup v1).
    static Result<std::unique_ptr<PreparedSandbox>> prepare(SandboxContext& context, const SandboxShape& shape,
                                                            const Limits* expected = nullptr);
    ~PreparedSandbox();  // kills whatever is left, removes the cgroup, frees the uid

    PreparedSandbox(const PreparedSandbox&) = delete;
    PreparedSandbox& operator=(const PreparedSandbox&) = delete;

    // Serves the one run this sandbox exists for (supervisor.cpp).
    RunResult run(const RunSpec& spec, CancelToken* cancel);

    const SandboxShape& shape() const { return shape_; }
    std::uint64_t prepare_us() const { return prepare_us_; }
    bool alive() const;  // init and program process still waiting (pooled sandboxes are checked before use)

private:
    // What the run's figures are measured from: the init is charged to the
    // group too, so its share is taken when the limits are set and the program
    // gets its full allowance on top of it.
    struct ChargeBaseline {
        std::uint64_t init_memory_bytes = 0;
        std::uint64_t cpu_usage_us = 0;
        std::uint64_t oom_kills = 0;
        std::uint64_t pids_limit_hits = 0;
    };

    PreparedSandbox(SandboxContext& context, SandboxShape shape);
    void kill_and_reap();
    // Puts the run's memory and process limits in force on the cgroup and takes
    // the baseline; does nothing when these limits are already in force.
    Result<void> limit_cgroup(const Limits& limits);

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
    bool cgroup_limited_ = false;
    std::uint64_t limited_memory_kib_ = 0;
    std::uint32_t limited_processes_ = 0;
    ChargeBaseline baseline_;

    friend class Supervisor;
};

}  // namespace ringfence
