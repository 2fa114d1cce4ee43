// cgroup v2 backend: one directory per sandbox under the launcher's subtree.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "cgroup.hpp"
#include "cgroup_backends.hpp"
#include "cgroup_files.hpp"

namespace ringfence {

namespace {

using cgroup::Dir;

std::string limit_value(std::uint64_t value) { return value == 0 ? "max" : std::to_string(value); }

class V2Group final : public CgroupGroup {
public:
    V2Group(std::string name, Dir dir, bool can_reset_peak)
        : name_(std::move(name)), path_(dir.path()), dir_(std::move(dir)),
          can_reset_peak_(can_reset_peak) {}
    ~V2Group() override { (void)destroy(); }

    int clone_into_fd() const override { return destroyed_ ? -1 : dir_.fd(); }

    Result<void> attach(pid_t pid) override {
        if (pid <= 0) return input_error("attach: invalid pid " + std::to_string(pid));
        return dir_.write("cgroup.procs", std::to_string(pid));
    }

    Result<std::vector<UniqueFd>> open_join_files() const override { return std::vector<UniqueFd>{}; }

    Result<void> set_limits(const CgroupLimits& limits) override {
        if (auto r = dir_.write("memory.max", limit_value(limits.memory_bytes)); !r) return r;
        if (dir_.has("memory.swap.max")) {
            if (auto r = dir_.write("memory.swap.max", "0"); !r) return r;
        } else if (cgroup::host_swap_active()) {
            return setup_error(dir_.path() + "/memory.swap.max is missing (swap accounting is off) "
                               "while swap is active, so the memory limit could be escaped: boot "
                               "with swapaccount=1 (CONFIG_MEMCG_SWAP) or turn swap off (swapoff -a)");
        }
        return dir_.write("pids.max", limit_value(limits.pids));
    }

    Result<std::uint64_t> cpu_usage_us() const override { return dir_.read_key("cpu.stat", "usage_usec"); }

    Result<std::uint64_t> task_count() const override { return dir_.read_number("pids.current"); }

    Result<CgroupUsage> usage() const override {
        CgroupUsage u;
        auto cpu = cpu_usage_us();
        if (!cpu) return std::move(cpu).error();
        u.cpu_usage_us = *cpu;
        auto current = dir_.read_number("memory.current");
        if (!current) return std::move(current).error();
        u.memory_current_bytes = *current;
        auto peak = read_peak();
        if (!peak) return std::move(peak).error();
        u.memory_peak_known = peak->has_value();
        u.memory_peak_bytes = peak->value_or(0);
        auto oom_kills = dir_.read_key("memory.events", "oom_kill");
        if (!oom_kills) return std::move(oom_kills).error();
        u.oom_kills = *oom_kills;
        auto pid_events = dir_.read_key("pids.events", "max");
        if (!pid_events) return std::move(pid_events).error();
        u.pids_limit_hits = *pid_events;
        auto pids = task_count();
        if (!pids) return std::move(pids).error();
        u.pids_current = *pids;
        return u;
    }

    Result<void> reset_peak() override {
        if (!can_reset_peak_)
            return setup_error("resetting memory.peak needs Linux 6.12 or later (" + dir_.path() + ")");
        if (!peak_fd_) {
            // Reads through this same fd report the peak since the last write to it.
            peak_fd_.reset(::openat(dir_.fd(), "memory.peak", O_RDWR | O_CLOEXEC));
            if (!peak_fd_) return setup_error("cannot open " + dir_.path() + "/memory.peak", errno);
        }
        static constexpr char kReset[] = "reset\n";
        if (::pwrite(peak_fd_.get(), kReset, sizeof kReset - 1, 0) < 0)
            return setup_error("cannot reset " + dir_.path() + "/memory.peak", errno);
        return {};
    }

    Result<void> kill_all() override {
        if (destroyed_) return {};
        // cgroup.kill (Linux 5.14) also stops tasks forking while it works;
        // without it, kill what is listed until nothing is left.
        bool have_kill_file = dir_.has("cgroup.kill");
        if (have_kill_file) {
            if (auto r = dir_.write("cgroup.kill", "1"); !r) return r;
        }
        return cgroup::retry_until(
            [&]() -> Result<bool> {
                auto populated = dir_.read_key("cgroup.events", "populated");
                if (!populated) return std::move(populated).error();
                if (*populated == 0) return true;
                if (!have_kill_file) {
                    auto killed = cgroup::kill_listed_tasks(dir_);
                    if (!killed) return std::move(killed).error();
                }
                return false;
            },
            cgroup::kKillTimeout, "killing the tasks of cgroup " + dir_.path());
    }

    bool empty() const override {
        if (destroyed_) return true;
        auto populated = dir_.read_key("cgroup.events", "populated");
        return populated && *populated == 0;
    }

    const std::string& name() const override { return name_; }

    Result<void> destroy() override {
        if (destroyed_) return {};
        // An empty group goes with one rmdir; EBUSY means tasks are left to kill.
        // The fds stay open until rmdir worked, so a failed destroy() can be retried.
        auto removed = cgroup::try_remove_dir(path_);
        if (!removed) return std::move(removed).error();
        if (!*removed) {
            if (auto r = kill_all(); !r) return r;
            if (auto r = cgroup::remove_group_dir(path_); !r) return r;
        }
        destroyed_ = true;
        peak_fd_.reset();
        dir_ = Dir();
        return {};
    }

    std::vector<std::string> directories() const override { return {path_}; }

private:
    // nullopt when the kernel has no memory.peak (before Linux 5.19).
    Result<std::optional<std::uint64_t>> read_peak() const {
        if (peak_fd_) {
            char buf[64];
            ssize_t n = ::pread(peak_fd_.get(), buf, sizeof buf - 1, 0);
            if (n < 0) return setup_error("cannot read " + dir_.path() + "/memory.peak", errno);
            auto value = cgroup::parse_number(std::string_view(buf, static_cast<std::size_t>(n)));
            if (!value) return setup_error(dir_.path() + "/memory.peak: expected a number");
            return std::optional<std::uint64_t>(*value);
        }
        if (!dir_.has("memory.peak")) return std::optional<std::uint64_t>();
        auto value = dir_.read_number("memory.peak");
        if (!value) return std::move(value).error();
        return std::optional<std::uint64_t>(*value);
    }

    std::string name_;
    std::string path_;
    Dir dir_;
    bool can_reset_peak_;
    UniqueFd peak_fd_;
    bool destroyed_ = false;
};

class V2Backend final : public CgroupBackend {
public:
    V2Backend(std::string subtree, bool can_reset_peak)
        : subtree_(std::move(subtree)), can_reset_peak_(can_reset_peak) {}

    const char* measured_by() const override { return "cgroup-v2"; }
    bool can_reset_peak() const override { return can_reset_peak_; }
    Result<std::size_t> remove_stale_groups() override { return cgroup::remove_stale_groups_in(subtree_); }

    Result<std::unique_ptr<CgroupGroup>> create(const std::string& name) override {
        if (auto r = cgroup::validate_group_name(name); !r) return std::move(r).error();
        std::string path = subtree_ + "/" + name;
        if (auto r = cgroup::make_group_dir(path); !r) return std::move(r).error();
        auto dir = Dir::open(path);
        if (!dir) {
            ::rmdir(path.c_str());
            return std::move(dir).error();
        }
        return std::unique_ptr<CgroupGroup>(
            std::make_unique<V2Group>(name, std::move(*dir), can_reset_peak_));
    }

private:
    std::string subtree_;
    bool can_reset_peak_;
};

// Linux 6.12 made memory.peak resettable by a write (for reads through the
// same fd). Earlier kernels may still let root open it for writing (6.1 does)
// and then fail the write with EINVAL, so only a real write proves support.
// Harmless on the subtree: the reset affects reads through this fd alone.
bool memory_peak_resettable(const Dir& subtree) {
    UniqueFd fd(::openat(subtree.fd(), "memory.peak", O_RDWR | O_CLOEXEC));
    if (!fd) return false;
    static constexpr char kReset[] = "reset\n";
    return ::write(fd.get(), kReset, sizeof(kReset) - 1) == static_cast<ssize_t>(sizeof(kReset) - 1);
}

}  // namespace

namespace cgroup {

Result<void> enable_subtree_controllers(const Dir& dir) {
    auto offered = dir.read("cgroup.controllers");
    if (!offered) return std::move(offered).error();
    std::string missing;
    for (const char* c : {"memory", "pids"})
        if (!contains_word(*offered, c)) missing += std::string(missing.empty() ? "" : ", ") + c;
    if (!missing.empty())
        return setup_error("cgroup v2 " + dir.path() + " lacks the " + missing +
                           " controller(s) (its cgroup.controllers: '" + join_words(*offered) +
                           "'): enable them in the parent's cgroup.subtree_control (echo '+memory "
                           "+pids' > PARENT/cgroup.subtree_control), or delegate them to this user "
                           "(systemd: Delegate=memory pids cpu)");
    auto enabled = dir.read("cgroup.subtree_control");
    if (!enabled) return std::move(enabled).error();
    std::string required, optional;
    for (const char* c : {"memory", "pids"})
        if (!contains_word(*enabled, c)) required += std::string(required.empty() ? "+" : " +") + c;
    // cpu.stat's usage_usec is a core file; the cpu controller is only a bonus.
    if (contains_word(*offered, "cpu") && !contains_word(*enabled, "cpu")) optional = "+cpu";
    if (required.empty() && optional.empty()) return {};
    std::string all = required.empty() ? optional
                                       : (optional.empty() ? required : required + " " + optional);
    auto r = dir.write("cgroup.subtree_control", all);
    if (!r && !optional.empty() && !required.empty()) r = dir.write("cgroup.subtree_control", required);
    if (!r && required.empty()) return {};  // only cpu failed: accounting still works
    if (!r && r.error().sys_errno == EBUSY)
        return setup_error("cannot enable controllers in " + dir.path() +
                           "/cgroup.subtree_control: the cgroup holds processes itself (cgroup v2 "
                           "'no internal processes' rule, typical inside a container): move them "
                           "into a child cgroup (mkdir " + dir.path() + "/init; echo PID > " +
                           dir.path() + "/init/cgroup.procs for each) or give ringfence an empty "
                           "delegated cgroup (RINGFENCE_CGROUP_ROOT)",
                           EBUSY);
    return r;
}

}  // namespace cgroup

Result<std::unique_ptr<CgroupBackend>> make_cgroup_v2(const std::string& subtree_dir) {
    auto dir = Dir::open(subtree_dir);
    if (!dir) return std::move(dir).error();
    if (auto r = cgroup::enable_subtree_controllers(*dir); !r) return std::move(r).error();
    return std::unique_ptr<CgroupBackend>(
        std::make_unique<V2Backend>(subtree_dir, memory_peak_resettable(*dir)));
}

}  // namespace ringfence
