// A fake cgroupfs for unit tests: a temporary directory of plain files shaped
// like the kernel's, which the backends reach through fs_prefix or explicit dirs.
// Plain files cannot act like the kernel, so a test plays the kernel's part
// itself (filling a group's files after mkdir, emptying cgroup.procs).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace ringfence::testing {

class FakeTree {
public:
    FakeTree() {
        char pattern[] = "/tmp/ringfence-fake-cgroupfs-XXXXXX";
        root_ = ::mkdtemp(pattern) ? std::string(pattern) : std::string();
    }
    ~FakeTree() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    FakeTree(const FakeTree&) = delete;
    FakeTree& operator=(const FakeTree&) = delete;

    const std::string& prefix() const { return root_; }
    std::string path(const std::string& relative) const { return root_ + "/" + relative; }

    void write(const std::string& relative, const std::string& content) const {
        auto p = std::filesystem::path(path(relative));
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p, std::ios::trunc) << content;
    }
    // Atomic (write + rename), for a test thread playing the kernel while the
    // backend reads: a real control file never reads as half-written.
    void replace(const std::string& relative, const std::string& content) const {
        std::string temp = path(relative) + ".new";
        std::ofstream(temp, std::ios::trunc) << content;
        std::filesystem::rename(temp, path(relative));
    }
    void write_all(const std::string& dir, const std::map<std::string, std::string>& files) const {
        for (const auto& [name, content] : files) write(dir + "/" + name, content);
    }
    std::string read(const std::string& relative) const {
        std::ifstream in(path(relative));
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    bool exists(const std::string& relative) const {
        return std::filesystem::exists(path(relative));
    }
    void mkdir(const std::string& relative) const {
        std::filesystem::create_directories(path(relative));
    }
    // What the kernel does once the last task left: rmdir is then allowed.
    void remove_files_in(const std::string& dir) const {
        for (const auto& entry : std::filesystem::directory_iterator(path(dir)))
            if (entry.is_regular_file()) std::filesystem::remove(entry.path());
    }

private:
    std::string root_;
};

// The files a fresh kernel-made group has, with realistic defaults.
inline std::map<std::string, std::string> fresh_v2_group_files() {
    return {
        {"cgroup.procs", ""},
        {"cgroup.events", "populated 0\nfrozen 0\n"},
        {"cgroup.kill", ""},
        {"cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\n"},
        {"memory.max", "max\n"},
        {"memory.swap.max", "max\n"},
        {"memory.current", "0\n"},
        {"memory.peak", "0\n"},
        {"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"},
        {"pids.max", "max\n"},
        {"pids.current", "0\n"},
        {"pids.events", "max 0\n"},
    };
}

inline std::map<std::string, std::string> fresh_v1_memory_files() {
    return {
        {"cgroup.procs", ""},
        {"tasks", ""},
        {"memory.limit_in_bytes", "9223372036854771712\n"},
        {"memory.memsw.limit_in_bytes", "9223372036854771712\n"},
        {"memory.usage_in_bytes", "0\n"},
        {"memory.memsw.usage_in_bytes", "0\n"},
        {"memory.max_usage_in_bytes", "0\n"},
        {"memory.memsw.max_usage_in_bytes", "0\n"},
        {"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
    };
}

inline std::map<std::string, std::string> fresh_v1_pids_files() {
    return {{"cgroup.procs", ""}, {"tasks", ""}, {"pids.max", "max\n"}, {"pids.current", "0\n"},
            {"pids.events", "max 0\n"}};
}

inline std::map<std::string, std::string> fresh_v1_cpuacct_files() {
    return {{"cgroup.procs", ""}, {"tasks", ""}, {"cpuacct.usage", "0\n"}};
}

}  // namespace ringfence::testing
