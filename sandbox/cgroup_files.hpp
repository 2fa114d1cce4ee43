// Small pieces shared by the cgroup v1 and v2 backends: control-file access
// through a directory fd, parsers for the kernel's file formats, and the
// "kill every listed task until the group is empty" loop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence::cgroup {

// "max" in cgroup files, "-1"/page-rounded LONG_MAX in v1: no limit.
inline constexpr std::uint64_t kUnlimited = UINT64_MAX;

// One cgroup directory, opened once; control files are reached relative to it.
class Dir {
public:
    Dir() = default;
    static Result<Dir> open(std::string path);

    const std::string& path() const { return path_; }
    int fd() const { return fd_.get(); }
    bool has(const char* file) const;
    Result<std::string> read(const char* file) const;
    // A single number ("max" reads as kUnlimited).
    Result<std::uint64_t> read_number(const char* file) const;
    // A "key value" line of a flat-keyed file (cpu.stat, memory.events, ...).
    Result<std::uint64_t> read_key(const char* file, std::string_view key) const;
    // Replaces the file's value. Never creates a file: a missing control file
    // means the controller is not there, which must be an error.
    Result<void> write(const char* file, std::string_view value) const;
    Result<std::vector<pid_t>> read_pids() const;  // cgroup.procs

private:
    // The controllers' counters (memory.*, pids.*, cpu*.*), read on every run,
    // stay open and are read again from offset 0, where cgroup files regenerate
    // their text: an open and a close less per read on the run's path. The core
    // cgroup.* files (membership, populated) are read rarely, afresh each time.
    struct OpenFiles {
        std::mutex mutex;
        std::map<std::string, UniqueFd, std::less<>> fds;
    };
    // The fd to read `file` through: a kept one, or one opened into `fresh`.
    Result<int> reading_fd(const char* file, UniqueFd& fresh) const;

    std::string path_;
    UniqueFd fd_;
    std::unique_ptr<OpenFiles> open_files_ = std::make_unique<OpenFiles>();
};

// Parsers for the kernel's formats (pure, unit-tested).
std::optional<std::uint64_t> parse_number(std::string_view text);
std::optional<std::uint64_t> find_key(std::string_view text, std::string_view key);
std::vector<pid_t> parse_pids(std::string_view text);
// Whitespace-separated words ("memory pids cpu" in cgroup.controllers).
std::vector<std::string> split_words(std::string_view text);
bool contains_word(std::string_view text, std::string_view word);
std::string join_words(std::string_view text);  // the words, single-spaced, for messages

// Group names become directory names: [A-Za-z0-9._-]{1,128}, not "." or "..".
Result<void> validate_group_name(const std::string& name);
// When a process started, in clock ticks since boot (/proc/<pid>/stat): a pid
// and its start time name one process, even after the pid is reused.
std::optional<std::uint64_t> process_start_ticks(pid_t pid);
struct GroupCreator {
    pid_t pid;
    std::uint64_t start_ticks;
};
// The creator named by group_name() ("sb-4242-98765-7"), if `name` is such a name.
std::optional<GroupCreator> group_creator(std::string_view name);
// remove_stale_groups() over one subtree directory.
Result<std::size_t> remove_stale_groups_in(const std::string& subtree);

// mkdir that reports the path, treating EEXIST as an error (a group must be fresh).
Result<void> make_group_dir(const std::string& path);
// mkdir that accepts an existing directory (the launcher's subtree).
Result<void> ensure_dir(const std::string& path);
// One rmdir: true when the directory is gone (or was already), false when the
// kernel reports EBUSY (tasks left), an error otherwise.
Result<bool> try_remove_dir(const std::string& path);
// rmdir, retried briefly while the kernel still reports EBUSY.
Result<void> remove_group_dir(const std::string& path);

// Sends SIGKILL to every task listed in `dir`'s cgroup.procs. Each pid is pinned
// with a pidfd and signalled only if it is still listed afterwards, so a
// recycled pid of an unrelated process is never hit. Returns how many were listed.
Result<std::size_t> kill_listed_tasks(const Dir& dir);

// Calls `step` until it reports true, sleeping a little longer each time;
// fails with `what` after `timeout`.
Result<void> retry_until(const std::function<Result<bool>()>& step,
                         std::chrono::milliseconds timeout, const std::string& what);

// Whether any swap device is active (/proc/swaps lists one): then a memory
// limit that does not cover swap could be escaped by swapping.
bool host_swap_active();

inline constexpr std::chrono::milliseconds kKillTimeout{10'000};

}  // namespace ringfence::cgroup
