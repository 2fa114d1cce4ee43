// The cgroup backend that detect_cgroups() picks on this host, driven for real:
// children attached to a group, limits hit, usage read back, groups removed.
// Needs root or a delegated subtree. Without usable cgroups it says so and
// passes, unless RINGFENCE_EXPECT_CGROUPS=1 (set by CI for its root run), where
// that is a failure.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>

#include "cgroup.hpp"

using namespace ringfence;

namespace {

bool cgroups_expected() {
    const char* v = std::getenv("RINGFENCE_EXPECT_CGROUPS");
    return v && std::string(v) == "1";
}

// The host's backend, or nullptr (with the reason reported) when the test cannot
// run. Without root only a delegated subtree (RINGFENCE_CGROUP_ROOT) can work.
std::unique_ptr<CgroupBackend> real_backend() {
    auto backend = detect_cgroups({});
    if (backend) return std::move(backend).value();
    std::string why = backend.error().describe();
    if (::geteuid() != 0) why = "not running as root, and " + why;
    if (cgroups_expected()) FAIL("RINGFENCE_EXPECT_CGROUPS=1 but no usable cgroups: " << why);
    MESSAGE("SKIPPED: real cgroup tests need usable cgroups (root, or a delegated subtree): " << why);
    return nullptr;
}

std::unique_ptr<CgroupGroup> new_group(CgroupBackend& backend, const char* purpose) {
    static std::atomic<int> counter{0};
    std::string name = std::string("itest-") + purpose + "-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter++);
    auto group = backend.create(name);
    REQUIRE_MESSAGE(group.ok(), group.error().describe());
    return std::move(group).value();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// A child that waits until it has been attached before running `body`, so all
// of its work is charged to the group. `report` is a pipe the body may write to.
struct Child {
    pid_t pid = -1;
    int go = -1;      // write end: one byte releases the child
    int report = -1;  // read end of the child's report pipe
};

Child spawn(const std::function<int(int report_fd)>& body) {
    int go[2], report[2];
    REQUIRE(::pipe2(go, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(report, O_CLOEXEC) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(go[1]);
        ::close(report[0]);
        char byte;
        if (::read(go[0], &byte, 1) != 1) ::_exit(100);
        ::_exit(body(report[1]));
    }
    ::close(go[0]);
    ::close(report[1]);
    return {pid, go[1], report[0]};
}

void attach_and_release(CgroupGroup& group, Child& child) {
    auto attached = group.attach(child.pid);
    REQUIRE_MESSAGE(attached.ok(), attached.error().describe());
    REQUIRE(::write(child.go, "g", 1) == 1);
    ::close(child.go);
}

std::uint64_t cpu_time_us(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

CgroupUsage usage_of(const CgroupGroup& group) {
    auto u = group.usage();
    REQUIRE_MESSAGE(u.ok(), u.error().describe());
    return *u;
}

}  // namespace

TEST_SUITE("cgroup (real)") {

TEST_CASE("limits land in the kernel's files and the group is removed afterwards") {
    auto backend = real_backend();
    if (!backend) return;
    MESSAGE("backend: " << std::string(backend->measured_by()));
    auto group = new_group(*backend, "limits");
    auto dirs = group->directories();
    for (const auto& d : dirs) CHECK(exists(d));
    REQUIRE(group->set_limits({48u << 20, 7}).ok());
    bool v1 = std::string(backend->measured_by()) == "cgroup-v1";
    std::string memory_file = dirs[0] + (v1 ? "/memory.limit_in_bytes" : "/memory.max");
    std::string pids_file = (v1 ? dirs[1] : dirs[0]) + "/pids.max";
    std::ifstream memory(memory_file), pids(pids_file);
    std::string memory_value, pids_value;
    memory >> memory_value;
    pids >> pids_value;
    CHECK(memory_value == std::to_string(48u << 20));
    CHECK(pids_value == "7");
    CHECK(group->empty());
    CHECK((group->clone_into_fd() >= 0) == !v1);
    REQUIRE(group->destroy().ok());
    for (const auto& d : dirs) CHECK_FALSE(exists(d));
}

TEST_CASE("CPU time of a spinning child is accounted to its group") {
    auto backend = real_backend();
    if (!backend) return;
    auto group = new_group(*backend, "cpu");
    Child child = spawn([](int) -> int {
        auto start = cpu_time_us(CLOCK_PROCESS_CPUTIME_ID);
        volatile std::uint64_t sink = 0;
        while (cpu_time_us(CLOCK_PROCESS_CPUTIME_ID) - start < 300'000) sink = sink + 1;
        return 0;
    });
    auto before = usage_of(*group).cpu_usage_us;
    attach_and_release(*group, child);
    int status = 0;
    rusage ru{};
    REQUIRE(::wait4(child.pid, &status, 0, &ru) == child.pid);
    CHECK(WIFEXITED(status));
    std::uint64_t child_us = static_cast<std::uint64_t>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
                                 1'000'000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    auto after = usage_of(*group).cpu_usage_us;
    MESSAGE("group cpu " << after - before << " us, child rusage " << child_us << " us");
    CHECK(after > before);
    // Both figures come from the scheduler's runtime; rusage also counts the
    // moments before attach, and ticks round it, hence the margin.
    CHECK(after - before >= child_us * 8 / 10);
    CHECK(after - before >= 240'000);
    CHECK(group->destroy().ok());
    ::close(child.report);
}

TEST_CASE("a child allocating past the memory limit is OOM-killed and counted") {
    auto backend = real_backend();
    if (!backend) return;
    auto group = new_group(*backend, "oom");
    const std::uint64_t limit = 32u << 20;
    REQUIRE(group->set_limits({limit, 16}).ok());
    Child child = spawn([](int) -> int {
        const std::size_t chunk = 1 << 20;
        for (int i = 0; i < 256; ++i) {
            void* p = ::mmap(nullptr, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) return 3;
            std::memset(p, 0x5a, chunk);
        }
        return 0;  // survived 256 MiB: the limit did not hold
    });
    attach_and_release(*group, child);
    int status = 0;
    REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGKILL);
    auto u = usage_of(*group);
    MESSAGE("peak " << u.memory_peak_bytes << " bytes, oom_kills " << u.oom_kills);
    CHECK(u.oom_kills == 1);
    if (u.memory_peak_known) {
        CHECK(u.memory_peak_bytes >= limit * 3 / 4);
        CHECK(u.memory_peak_bytes <= limit + (1u << 20));
    }
    CHECK(group->destroy().ok());
    ::close(child.report);
}

TEST_CASE("a fork loop under pids.max=5 hits the limit and kill_all ends it all") {
    auto backend = real_backend();
    if (!backend) return;
    auto group = new_group(*backend, "pids");
    REQUIRE(group->set_limits({256u << 20, 5}).ok());
    Child child = spawn([](int report) -> int {
        int refused = 0;
        for (int i = 0; i < 20; ++i) {
            pid_t p = ::fork();
            if (p == 0) {
                for (;;) ::pause();
            }
            if (p < 0 && errno == EAGAIN) ++refused;
        }
        (void)!::write(report, &refused, sizeof refused);
        for (;;) ::pause();
    });
    attach_and_release(*group, child);
    int refused = -1;
    REQUIRE(::read(child.report, &refused, sizeof refused) == sizeof refused);
    auto u = usage_of(*group);
    MESSAGE("forks refused " << refused << ", pids.events max " << u.pids_limit_hits
                             << ", pids now " << u.pids_current);
    CHECK(refused > 0);
    CHECK(u.pids_limit_hits > 0);
    CHECK(u.pids_current == 5);
    CHECK_FALSE(group->empty());

    auto killed = group->kill_all();
    REQUIRE_MESSAGE(killed.ok(), killed.error().describe());
    CHECK(group->empty());
    int status = 0;
    REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
    CHECK(WIFSIGNALED(status));
    // pids.current still counts unreaped zombies (ours were reparented), but
    // cgroup.procs no longer lists them and the group can go.
    auto destroyed = group->destroy();
    CHECK_MESSAGE(destroyed.ok(), destroyed.error().describe());
    ::close(child.report);
}

TEST_CASE("kill_all also ends stopped tasks and daemons that left their parent") {
    auto backend = real_backend();
    if (!backend) return;
    auto group = new_group(*backend, "kill");
    Child stopped = spawn([](int) -> int {
        ::raise(SIGSTOP);
        return 0;
    });
    Child daemonizer = spawn([](int report) -> int {
        pid_t first = ::fork();
        if (first == 0) {
            ::setsid();
            if (::fork() == 0) {
                for (;;) ::pause();
            }
            ::_exit(0);
        }
        ::waitpid(first, nullptr, 0);
        (void)!::write(report, "d", 1);
        return 0;
    });
    attach_and_release(*group, stopped);
    attach_and_release(*group, daemonizer);
    char byte;
    REQUIRE(::read(daemonizer.report, &byte, 1) == 1);
    REQUIRE(::waitpid(daemonizer.pid, nullptr, 0) == daemonizer.pid);
    CHECK(usage_of(*group).pids_current == 2);  // the stopped child and the orphaned daemon

    auto killed = group->kill_all();
    REQUIRE_MESSAGE(killed.ok(), killed.error().describe());
    CHECK(group->empty());
    int status = 0;
    REQUIRE(::waitpid(stopped.pid, &status, 0) == stopped.pid);
    CHECK(WIFSIGNALED(status));
    auto destroyed = group->destroy();
    CHECK_MESSAGE(destroyed.ok(), destroyed.error().describe());
    ::close(stopped.report);
    ::close(daemonizer.report);
}

TEST_CASE("the destructor kills what is left and removes the directories") {
    auto backend = real_backend();
    if (!backend) return;
    auto group = new_group(*backend, "dtor");
    auto dirs = group->directories();
    Child child = spawn([](int) -> int {
        for (;;) ::pause();
    });
    attach_and_release(*group, child);
    group.reset();
    for (const auto& d : dirs) CHECK_FALSE(exists(d));
    int status = 0;
    REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
    CHECK(WIFSIGNALED(status));
    ::close(child.report);
}

TEST_CASE("reset_peak starts a new peak measurement") {
    auto backend = real_backend();
    if (!backend) return;
    if (!backend->can_reset_peak()) {
        MESSAGE("SKIPPED: this kernel cannot reset memory.peak (needs Linux 6.12)");
        return;
    }
    auto group = new_group(*backend, "peak");
    REQUIRE(group->set_limits({256u << 20, 4}).ok());
    Child child = spawn([](int report) -> int {
        const std::size_t size = 64u << 20;
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return 3;
        std::memset(p, 1, size);
        ::munmap(p, size);
        (void)!::write(report, "m", 1);
        for (;;) ::pause();
    });
    attach_and_release(*group, child);
    char byte;
    REQUIRE(::read(child.report, &byte, 1) == 1);
    auto high = usage_of(*group);
    CHECK(high.memory_peak_bytes >= (60u << 20));
    REQUIRE(group->reset_peak().ok());
    auto low = usage_of(*group);
    MESSAGE("peak before reset " << high.memory_peak_bytes << ", after " << low.memory_peak_bytes);
    CHECK(low.memory_peak_bytes < (16u << 20));
    REQUIRE(group->kill_all().ok());
    REQUIRE(::waitpid(child.pid, nullptr, 0) == child.pid);
    CHECK(group->destroy().ok());
    ::close(child.report);
}

TEST_CASE("groups a dead launcher left are removed; live ones and busy ones stay") {
    auto backend = real_backend();
    if (!backend) return;
    // A pid that is surely gone: a child already reaped.
    pid_t dead = ::fork();
    REQUIRE(dead >= 0);
    if (dead == 0) ::_exit(0);
    REQUIRE(::waitpid(dead, nullptr, 0) == dead);
    const std::string dead_name = "sb-" + std::to_string(dead) + "-1-";

    auto left = backend->create(dead_name + "0");  // what a killed launcher leaves: an empty group
    auto busy = backend->create(dead_name + "1");  // ... or one whose task outlived it
    auto ours = backend->create(group_name("sb", 999'999));
    REQUIRE(left.ok());
    REQUIRE(busy.ok());
    REQUIRE(ours.ok());
    const auto left_dirs = (*left)->directories();
    Child child = spawn([](int) -> int {
        for (;;) ::pause();
    });
    attach_and_release(**busy, child);

    auto removed = backend->remove_stale_groups();
    REQUIRE_MESSAGE(removed.ok(), removed.error().describe());
    CHECK(*removed >= left_dirs.size());
    for (const auto& d : left_dirs) CHECK_FALSE(exists(d));
    for (const auto& d : (*busy)->directories()) CHECK(exists(d));
    for (const auto& d : (*ours)->directories()) CHECK(exists(d));

    CHECK((*left)->destroy().ok());  // already gone: only marks it so
    CHECK((*busy)->destroy().ok());  // kills the child
    REQUIRE(::waitpid(child.pid, nullptr, 0) == child.pid);
    CHECK((*ours)->destroy().ok());
    ::close(child.report);
}

}  // TEST_SUITE
