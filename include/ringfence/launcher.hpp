// The process tier: runs a RunSpec in fresh user, PID, mount, network, IPC,
// UTS and cgroup namespaces with capabilities dropped, seccomp, Landlock and
// cgroup limits. Thread-safe: one Launcher serves many concurrent runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "ringfence/error.hpp"
#include "ringfence/run_result.hpp"
#include "ringfence/run_spec.hpp"

namespace ringfence {

struct LauncherConfig {
    // Working files of the launcher (staging mount point, uid locks).
    // Empty: /run/ringfence as root, $XDG_RUNTIME_DIR/ringfence (or /tmp/ringfence-UID) otherwise.
    std::filesystem::path runtime_dir;
    // Host uids/gids given to sandboxes when running as root: `uid_base` is the
    // in-sandbox init's identity, each concurrent run takes one of the next
    // `uid_count - 1` ids. Never 0. Ignored when rootless (the caller's uid is used).
    std::uint32_t uid_base = 2'000'000'000u;
    std::uint32_t uid_count = 65'536;
    // Cgroup subtree the launcher owns. Empty: auto (v2: <mount>/ringfence,
    // v1: <controller>/ringfence). The launcher never touches cgroups outside it.
    std::string cgroup_root;
    // Run without any usable cgroup, measuring with rusage and limiting with
    // rlimits only. Off by default: without cgroups runs fail closed.
    bool allow_rlimit_only = false;
    // Sandboxes prepared ahead of time per shape (profile + mounts) asked for
    // with prewarm(); other shapes are built on demand. 0: none.
    // A burst of up to three quarters of this many runs is served without any
    // building or teardown going on beside it; refills wait for a pause.
    unsigned pool_size = 0;
    // How many sandboxes prewarm() may keep ready when it asks for more than
    // pool_size (a judge's job of many tests, built while its compiler runs):
    // a shape grows beyond pool_size only while all shapes together hold fewer
    // than this. 0: never more than pool_size.
    unsigned pool_max = 0;
};

// Lets another thread stop a run (the service's cancel). Cheap to create.
class CancelToken {
public:
    CancelToken();
    ~CancelToken();
    CancelToken(const CancelToken&) = delete;
    CancelToken& operator=(const CancelToken&) = delete;
    void cancel();
    bool cancelled() const;
    int fd() const { return fd_; }  // eventfd readable once cancelled

private:
    int fd_ = -1;
};

class Launcher {
public:
    static Result<std::unique_ptr<Launcher>> create(LauncherConfig config);
    virtual ~Launcher() = default;

    // Runs once, blocking the calling thread until every process of the run is
    // gone. Never throws; problems building the sandbox come back as
    // RunStatus::setup_error with RunResult::error set.
    virtual RunResult run(const RunSpec& spec, CancelToken* cancel = nullptr) = 0;

    // Prepares sandboxes for specs shaped like this one ahead of time (needs
    // pool_size > 0): pool_size of them, or as many as `runs` (the runs about to
    // come) when that is more, up to pool_max. The most asked for in the last
    // 30 s holds; a shape unused for 30 s is dropped.
    virtual void prewarm(const RunSpec& shape, unsigned runs = 0) = 0;

    // "cgroup-v2", "cgroup-v1" or "rusage": how runs will be measured.
    virtual std::string measurement() const = 0;
    virtual bool rootless() const = 0;
    virtual unsigned active_sandboxes() const = 0;
    // Sandboxes prepared and waiting in the pool, all shapes together.
    virtual unsigned ready_sandboxes() const = 0;
};

}  // namespace ringfence
