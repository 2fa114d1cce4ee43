// Nothing survives a run, and nothing one run leaves is visible to the next.
#include <doctest/doctest.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

namespace {

// Host processes whose real uid is `uid`.
int processes_of(uid_t uid) {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream status(e.path() / "status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("Uid:", 0) == 0) {
                if (std::stoul(line.substr(5)) == uid) ++n;
                break;
            }
    }
    return n;
}

}  // namespace

TEST_CASE("an orphaned daemon dies with the run") {
    std::string dir = temp_dir("daemon");
    std::filesystem::permissions(dir, std::filesystem::perms::all);
    RunSpec spec = probe_spec("daemon", "/box/heartbeat");
    spec.workdir = dir;
    auto r = run(spec);
    REQUIRE(r.status == RunStatus::ok);
    CHECK(r.stdout_data == "daemon started\n");
    auto size = [&] { return std::filesystem::file_size(dir + "/heartbeat"); };
    auto first = size();
    CHECK(first > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(size() == first);  // no one writes any more
    if (running_as_root()) CHECK(processes_of(r.host_uid) == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("no cgroup of a finished run is left behind") {
    auto r = probe("exit", "0");
    REQUIRE(r.status == RunStatus::ok);
    // The fixture's launcher has no pool: the sandbox is gone when run() returns.
    const std::string prefix = "sb-" + std::to_string(getpid()) + "-";
    int left = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator("/sys/fs/cgroup", ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && it->path().filename().string().rfind(prefix, 0) == 0) ++left;
        if (it.depth() > 4) it.disable_recursion_pending();
    }
    CHECK(left == 0);
}

TEST_CASE("stopped processes are killed too") {
    auto r = probe("stopped-child");
    CHECK(r.status == RunStatus::ok);
    if (running_as_root()) CHECK(processes_of(r.host_uid) == 0);
}

TEST_CASE("SysV IPC, /dev/shm and /tmp do not carry over between runs") {
    auto first = probe("leave-ipc");
    REQUIRE(first.status == RunStatus::ok);
    auto second = probe("find-ipc");
    CHECK(second.status == RunStatus::ok);
    CHECK(second.stdout_data == "blocked: no leftovers\n");
}

TEST_CASE("kill(-1) and killing the parent cannot hurt anything outside") {
    auto all = probe("kill-all");
    CHECK(all.status == RunStatus::ok);
    CHECK(all.stdout_data == "survived kill(-1)\n");
    auto parent = probe("kill-parent");
    CHECK(parent.status == RunStatus::ok);
    CHECK(parent.stdout_data.rfind("blocked: kill parent", 0) == 0);
}

TEST_CASE("concurrent runs each get their own uid") {
    if (!running_as_root()) return;  // rootless: every sandbox is the caller's uid by design
    RunResult a, b;
    std::thread t([&] { a = run(probe_spec("exit", "0")); });
    b = run(probe_spec("exit", "0"));
    t.join();
    CHECK(a.host_uid != 0);
    CHECK(b.host_uid != 0);
}

TEST_CASE("runs succeed while other threads of the caller come and go") {
    // Regression: glibc's setuid family in a cloned child waits for the parent's
    // other threads; the sandbox must use the raw system calls.
    std::atomic<bool> stop{false};
    std::thread churn([&] {
        while (!stop) std::thread([] {}).join();
    });
    int ok = 0;
    for (int i = 0; i < 30; ++i) {
        RunSpec spec = probe_spec("exit", "0");
        spec.limits.wall_time_ms = 5000;
        if (run(spec).status == RunStatus::ok) ++ok;
    }
    stop = true;
    churn.join();
    CHECK(ok == 30);
}

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The pid of the first process whose command line starts with `prefix`
// (NUL-separated arguments), or -1.
pid_t process_with_cmdline(const std::string& prefix) {
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string name = e.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (read_file(e.path() / "cmdline").rfind(prefix, 0) == 0) return static_cast<pid_t>(std::stol(name));
    }
    return -1;
}

}  // namespace

TEST_CASE("a killed init server takes its sandboxes along and is started again") {
    RunResult slept;
    std::thread sleeper([&] {
        RunSpec spec = probe_spec("sleep");
        spec.limits.wall_time_ms = 20'000;
        slept = run(spec);
    });
    // Once the program runs, the server's reply for its init was long sent.
    const std::string program = std::string("/probes/hostile") + '\0' + "sleep";
    pid_t sleeping = -1;
    for (int i = 0; i < 500 && sleeping < 0; ++i) {
        sleeping = process_with_cmdline(program);
        if (sleeping < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const pid_t server = process_with_cmdline(std::string("ringfence-init") + '\0' + "serve" + '\0');
    CHECK(sleeping > 0);
    REQUIRE(server > 0);
    const auto killed_at = std::chrono::steady_clock::now();
    REQUIRE(kill(server, SIGKILL) == 0);
    sleeper.join();
    // The init died with its server (PR_SET_PDEATHSIG), and the program with it.
    CHECK(std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(10));
    CHECK(slept.status == RunStatus::setup_error);
    CHECK(process_with_cmdline(program) < 0);
    if (running_as_root() && slept.host_uid != 0) CHECK(processes_of(slept.host_uid) == 0);
    // The next sandbox comes from a fresh server.
    auto r = probe("exit", "0");
    CHECK(r.status == RunStatus::ok);
    const pid_t restarted = process_with_cmdline(std::string("ringfence-init") + '\0' + "serve" + '\0');
    CHECK(restarted > 0);
    CHECK(restarted != server);
}
