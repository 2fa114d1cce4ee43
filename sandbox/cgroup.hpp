// One interface over cgroup v2 and cgroup v1: a group per sandbox, created
// only under the launcher's own `ringfence` subtree, never anywhere else.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence {

struct CgroupLimits {
    std::uint64_t memory_bytes = 0;  // 0: unlimited. Swap is always disabled or counted.
    std::uint32_t pids = 0;          // 0: unlimited
};

struct CgroupUsage {
    std::uint64_t cpu_usage_us = 0;      // all tasks, user + system
    std::uint64_t memory_current_bytes = 0;
    std::uint64_t memory_peak_bytes = 0;  // since creation or the last reset_peak()
    std::uint64_t oom_kills = 0;          // tasks killed by the OOM killer in this group
    std::uint64_t pids_limit_hits = 0;    // forks refused because of the pids limit
    std::uint64_t pids_current = 0;
    // false when the kernel cannot report a peak (v2 before Linux 5.19, no
    // memory.peak): memory_peak_bytes is then 0 and the caller must use rusage.
    bool memory_peak_known = true;
};

// One thread uses a group at a time (usage() may be read from another);
// a backend's create() may be called from many threads at once.
class CgroupGroup {
public:
    virtual ~CgroupGroup() = default;  // destroys the group (kills what is left first)

    // v2: an O_DIRECTORY fd usable with clone3(CLONE_INTO_CGROUP); v1: invalid (-1).
    virtual int clone_into_fd() const = 0;
    // Moves another process (host pid) into the group, v1 or v2 (the VM tier's
    // jail does). A sandbox's init instead joins through clone_into_fd() or
    // open_join_files().
    virtual Result<void> attach(pid_t pid) = 0;
    // v1: each hierarchy's `tasks` file, opened for writing. A single-threaded
    // process that writes "0" to each moves itself into the group, and the
    // kernel does that without the global lock that moving another process
    // takes (taking it waits for an RCU grace period: 5 to 25 ms on the test
    // host unless another move happened just before). v2: none (use clone_into_fd).
    // The open-time credentials decide the permission, so the fds work from a
    // child already in its own user namespace.
    virtual Result<std::vector<UniqueFd>> open_join_files() const = 0;
    virtual Result<void> set_limits(const CgroupLimits& limits) = 0;
    virtual Result<CgroupUsage> usage() const = 0;
    // The two figures a running sandbox is watched by, each one file read
    // instead of usage()'s six.
    virtual Result<std::uint64_t> cpu_usage_us() const = 0;
    virtual Result<std::uint64_t> task_count() const = 0;
    // Starts a new peak measurement from the current usage (v1: max_usage_in_bytes;
    // v2: memory.peak reset where the kernel supports it, else reports unsupported).
    virtual Result<void> reset_peak() = 0;
    // Kills every task in the group (v2: cgroup.kill; v1: SIGKILL each task, repeated
    // until empty) and waits until the group has no task left.
    virtual Result<void> kill_all() = 0;
    virtual bool empty() const = 0;
    virtual const std::string& name() const = 0;
    // Kills what is left and removes the group's directories, reporting what the
    // destructor would have to swallow. Idempotent; afterwards only destroy(),
    // empty() and name() are meaningful.
    virtual Result<void> destroy() = 0;
    // Host paths of the group: one for v2, memory/pids/cpuacct for v1 (for logs, tests).
    virtual std::vector<std::string> directories() const = 0;
};

class CgroupBackend {
public:
    virtual ~CgroupBackend() = default;
    // "cgroup-v2" or "cgroup-v1": goes into RunResult::measured_by.
    virtual const char* measured_by() const = 0;
    // A fresh, empty group named `name` under the launcher's subtree.
    virtual Result<std::unique_ptr<CgroupGroup>> create(const std::string& name) = 0;
    // Whether reset_peak() works (v1 always; v2 since Linux 6.12).
    virtual bool can_reset_peak() const = 0;
    // Removes the subtree's empty groups whose creator (the pid and start time
    // in a name made by group_name()) is gone: what a launcher killed without
    // its teardown left. Groups still holding tasks, names of other forms and groups of
    // live processes are left alone. Returns how many directories went.
    virtual Result<std::size_t> remove_stale_groups() = 0;
};

// "<kind>-<pid>-<start>-<serial>", with this process's pid and start time:
// every group a launcher makes is named so, which lets a later launcher tell
// whose it was, even when its pid has since gone to another process.
std::string group_name(const char* kind, std::uint64_t serial);

struct CgroupOptions {
    // Root of the launcher's own subtree. Empty: RINGFENCE_CGROUP_ROOT, else
    // automatic (see detect_cgroups()). An absolute path names a cgroup v2
    // directory ("/sys/fs/cgroup/..."); a relative one ("judge/ringfence") names
    // the same subtree under each v1 controller (or under the v2 mount on a pure
    // v2 host). As root it is created when missing; rootless it must exist and be
    // writable (delegated).
    std::string root;
    // Alternative filesystem root, so tests can point the backends at a fake
    // cgroupfs tree made of plain files ("" = "/").
    std::string fs_prefix;
};

// Finds a usable cgroup setup: pure or hybrid v2 with memory, pids and cpu
// controllers delegated to us first, else v1 with memory, pids and cpuacct.
// Creates the `ringfence` subtree (and enables controllers in it) when missing.
// Returns a setup error naming what is missing when neither works.
Result<std::unique_ptr<CgroupBackend>> detect_cgroups(const CgroupOptions& options);

// Each backend on its own, for tests and for `ringfence check`.
Result<std::unique_ptr<CgroupBackend>> make_cgroup_v2(const std::string& subtree_dir);
Result<std::unique_ptr<CgroupBackend>> make_cgroup_v1(const std::string& memory_dir,
                                                      const std::string& pids_dir,
                                                      const std::string& cpuacct_dir);

}  // namespace ringfence
