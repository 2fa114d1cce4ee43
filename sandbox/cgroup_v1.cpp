// cgroup v1 backend: each sandbox gets one directory in each of three
// hierarchies (memory, pids, cpuacct), all named alike under `ringfence/`.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>

#include "cgroup.hpp"
#include "cgroup_backends.hpp"
#include "cgroup_files.hpp"

namespace ringfence {

namespace {

using cgroup::Dir;

constexpr const char* kMemswLimit = "memory.memsw.limit_in_bytes";

class V1Group final : public CgroupGroup {
public:
    V1Group(std::string name, Dir memory, Dir pids, Dir cpuacct)
        : name_(std::move(name)), dirs_{std::move(memory), std::move(pids), std::move(cpuacct)} {
        for (const auto& dir : dirs_) paths_.push_back(dir.path());
    }
    ~V1Group() override { (void)destroy(); }

    int clone_into_fd() const override { return -1; }

    Result<void> attach(pid_t pid) override {
        if (pid <= 0) return input_error("attach: invalid pid " + std::to_string(pid));
        for (const auto& dir : dirs_)
            if (auto r = dir.write("cgroup.procs", std::to_string(pid)); !r) return r;
        return {};
    }

    Result<std::vector<UniqueFd>> open_join_files() const override {
        std::vector<UniqueFd> files;
        for (const auto& dir : dirs_) {
            UniqueFd f(::openat(dir.fd(), "tasks", O_WRONLY | O_CLOEXEC));
            if (!f) return setup_error("cannot open " + dir.path() + "/tasks for writing", errno);
            files.push_back(std::move(f));
        }
        return files;
    }

    Result<void> set_limits(const CgroupLimits& limits) override {
        cgroup::V1MemoryState state;
        state.has_memsw = has_memsw();
        if (state.has_memsw) {
            auto memsw = memory().read_number(kMemswLimit);
            if (!memsw) return std::move(memsw).error();
            state.memsw_limit_bytes = *memsw;
        } else {
            state.swap_active = cgroup::host_swap_active();
        }
        auto plan = cgroup::plan_v1_memory_limit(limits.memory_bytes, state);
        if (!plan) {
            auto error = std::move(plan).error();
            error.message = memory().path() + ": " + error.message;
            return error;
        }
        for (const auto& w : *plan)
            if (auto r = memory().write(w.file.c_str(), w.value); !r) return r;
        return pids().write("pids.max", limits.pids == 0 ? "max" : std::to_string(limits.pids));
    }

    Result<std::uint64_t> cpu_usage_us() const override {
        auto cpu_ns = cpuacct().read_number("cpuacct.usage");
        if (!cpu_ns) return std::move(cpu_ns).error();
        return *cpu_ns / 1000;
    }

    Result<std::uint64_t> task_count() const override { return pids().read_number("pids.current"); }

    Result<CgroupUsage> usage() const override {
        CgroupUsage u;
        auto cpu = cpu_usage_us();
        if (!cpu) return std::move(cpu).error();
        u.cpu_usage_us = *cpu;
        // With swap accounting, memory+swap is what the limit caps, so report that.
        const bool memsw = has_memsw();
        auto current = memory().read_number(memsw ? "memory.memsw.usage_in_bytes"
                                                  : "memory.usage_in_bytes");
        if (!current) return std::move(current).error();
        u.memory_current_bytes = *current;
        auto peak = memory().read_number(memsw ? "memory.memsw.max_usage_in_bytes"
                                               : "memory.max_usage_in_bytes");
        if (!peak) return std::move(peak).error();
        u.memory_peak_bytes = *peak;
        // The oom_kill line exists since Linux 4.13; without it OOM kills go unseen.
        auto oom = memory().read_key("memory.oom_control", "oom_kill");
        if (!oom) return std::move(oom).error();
        u.oom_kills = *oom;
        auto pid_events = pids().read_key("pids.events", "max");
        if (!pid_events) return std::move(pid_events).error();
        u.pids_limit_hits = *pid_events;
        auto pids_now = task_count();
        if (!pids_now) return std::move(pids_now).error();
        u.pids_current = *pids_now;
        return u;
    }

    Result<void> reset_peak() override {
        if (auto r = memory().write("memory.max_usage_in_bytes", "0"); !r) return r;
        if (has_memsw())
            return memory().write("memory.memsw.max_usage_in_bytes", "0");
        return {};
    }

    Result<void> kill_all() override {
        if (destroyed_) return {};
        // No cgroup.kill in v1: a task may fork while we kill, so repeat until
        // every hierarchy lists nobody (pids.max bounds how long that takes).
        return cgroup::retry_until(
            [&]() -> Result<bool> {
                std::size_t listed = 0;
                for (std::size_t i = 0; i < dirs_.size(); ++i) {
                    if (removed_[i]) continue;
                    auto n = cgroup::kill_listed_tasks(dirs_[i]);
                    if (!n) return std::move(n).error();
                    listed += *n;
                }
                return listed == 0;
            },
            cgroup::kKillTimeout, "killing the tasks of cgroup " + memory().path());
    }

    bool empty() const override {
        if (destroyed_) return true;
        for (std::size_t i = 0; i < dirs_.size(); ++i) {
            if (removed_[i]) continue;
            auto pids = dirs_[i].read_pids();
            if (!pids || !pids->empty()) return false;
        }
        return true;
    }

    const std::string& name() const override { return name_; }

    Result<void> destroy() override {
        if (destroyed_) return {};
        // Empty groups go with one rmdir each; EBUSY means tasks are left to kill.
        // The fds stay open until every rmdir worked, so a failed destroy() can be retried.
        bool busy = false;
        for (std::size_t i = 0; i < dirs_.size(); ++i) {
            if (removed_[i]) continue;
            auto r = cgroup::try_remove_dir(paths_[i]);
            if (!r) return std::move(r).error();
            removed_[i] = *r;
            busy = busy || !*r;
        }
        if (busy) {
            if (auto r = kill_all(); !r) return r;
            for (std::size_t i = 0; i < dirs_.size(); ++i) {
                if (removed_[i]) continue;
                if (auto r = cgroup::remove_group_dir(paths_[i]); !r) return r;
                removed_[i] = true;
            }
        }
        destroyed_ = true;
        for (auto& dir : dirs_) dir = Dir();
        return {};
    }

    std::vector<std::string> directories() const override { return paths_; }

private:
    const Dir& memory() const { return dirs_[0]; }
    const Dir& pids() const { return dirs_[1]; }
    const Dir& cpuacct() const { return dirs_[2]; }
    // Swap accounting is on or off for the whole boot: asked once per group, not per read.
    bool has_memsw() const {
        if (!has_memsw_) has_memsw_ = memory().has(kMemswLimit);
        return *has_memsw_;
    }

    std::string name_;
    mutable std::optional<bool> has_memsw_;
    std::array<Dir, 3> dirs_;
    std::vector<std::string> paths_;
    std::array<bool, 3> removed_{};
    bool destroyed_ = false;
};

class V1Backend final : public CgroupBackend {
public:
    explicit V1Backend(std::array<std::string, 3> subtrees) : subtrees_(std::move(subtrees)) {}

    const char* measured_by() const override { return "cgroup-v1"; }
    bool can_reset_peak() const override { return true; }

    Result<std::size_t> remove_stale_groups() override {
        std::size_t removed = 0;
        for (const auto& subtree : subtrees_) {
            auto n = cgroup::remove_stale_groups_in(subtree);
            if (!n) return n;
            removed += *n;
        }
        return removed;
    }

    Result<std::unique_ptr<CgroupGroup>> create(const std::string& name) override {
        if (auto r = cgroup::validate_group_name(name); !r) return std::move(r).error();
        std::array<Dir, 3> dirs;
        std::size_t made = 0;
        auto undo = [&] {
            for (std::size_t i = 0; i < made; ++i) {
                dirs[i] = Dir();
                ::rmdir((subtrees_[i] + "/" + name).c_str());
            }
        };
        for (; made < 3;) {
            std::string path = subtrees_[made] + "/" + name;
            if (auto r = cgroup::make_group_dir(path); !r) {
                undo();
                return std::move(r).error();
            }
            ++made;
            auto dir = Dir::open(path);
            if (!dir) {
                undo();
                return std::move(dir).error();
            }
            dirs[made - 1] = std::move(*dir);
        }
        return std::unique_ptr<CgroupGroup>(std::make_unique<V1Group>(
            name, std::move(dirs[0]), std::move(dirs[1]), std::move(dirs[2])));
    }

private:
    std::array<std::string, 3> subtrees_;  // memory, pids, cpuacct
};

}  // namespace

namespace cgroup {

Result<std::vector<FileWrite>> plan_v1_memory_limit(std::uint64_t limit_bytes,
                                                    const V1MemoryState& state) {
    const std::uint64_t target = limit_bytes == 0 ? kUnlimited : limit_bytes;
    const std::string value = limit_bytes == 0 ? "-1" : std::to_string(limit_bytes);
    const FileWrite ram{"memory.limit_in_bytes", value};
    if (!state.has_memsw) {
        if (limit_bytes != 0 && state.swap_active)
            return setup_error("memory.memsw.limit_in_bytes is missing (swap accounting is off) "
                               "while swap is active, so the memory limit could be escaped: boot "
                               "with swapaccount=1 or turn swap off (swapoff -a)");
        return std::vector<FileWrite>{ram};
    }
    const FileWrite both{kMemswLimit, value};
    // Lowering: RAM first (still <= the old memsw), then memsw down to it.
    // Raising: memsw first, so RAM never exceeds it.
    if (target <= state.memsw_limit_bytes) return std::vector<FileWrite>{ram, both};
    return std::vector<FileWrite>{both, ram};
}

}  // namespace cgroup

Result<std::unique_ptr<CgroupBackend>> make_cgroup_v1(const std::string& memory_dir,
                                                      const std::string& pids_dir,
                                                      const std::string& cpuacct_dir) {
    struct Expect {
        const std::string& dir;
        const char* file;
        const char* controller;
    };
    for (const Expect& e : {Expect{memory_dir, "memory.limit_in_bytes", "memory"},
                            Expect{pids_dir, "pids.max", "pids"},
                            Expect{cpuacct_dir, "cpuacct.usage", "cpuacct"}}) {
        auto dir = Dir::open(e.dir);
        if (!dir) return std::move(dir).error();
        if (!dir->has(e.file))
            return setup_error(e.dir + " is not a cgroup v1 " + e.controller + " group (no " +
                               e.file + ")");
    }
    return std::unique_ptr<CgroupBackend>(
        std::make_unique<V1Backend>(std::array<std::string, 3>{memory_dir, pids_dir, cpuacct_dir}));
}

}  // namespace ringfence
