// cgroup v2 backend against a fake cgroupfs tree.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "cgroup.hpp"
#include "cgroup_fake_tree.hpp"

using namespace ringfence;
using ringfence::testing::FakeTree;

namespace {

const char* const kSubtree = "sys/fs/cgroup/ringfence";

struct FakeV2 {
    FakeTree tree;

    explicit FakeV2(bool resettable_peak = true, std::string enabled = "memory pids cpu") {
        tree.write(std::string(kSubtree) + "/cgroup.controllers", "cpuset cpu io memory pids\n");
        tree.write(std::string(kSubtree) + "/cgroup.subtree_control", enabled + "\n");
        tree.write(std::string(kSubtree) + "/cgroup.procs", "");
        if (resettable_peak) tree.write(std::string(kSubtree) + "/memory.peak", "0\n");
    }
    std::unique_ptr<CgroupBackend> backend() const {
        auto b = make_cgroup_v2(tree.path(kSubtree));
        REQUIRE_MESSAGE(b.ok(), b.error().describe());
        return std::move(b).value();
    }
    std::string dir(const std::string& group) const { return std::string(kSubtree) + "/" + group; }
    std::string file(const std::string& group, const std::string& name) const {
        return dir(group) + "/" + name;
    }
    std::unique_ptr<CgroupGroup> group(CgroupBackend& b, const std::string& name) const {
        auto g = b.create(name);
        REQUIRE_MESSAGE(g.ok(), g.error().describe());
        tree.write_all(dir(name), testing::fresh_v2_group_files());  // the kernel's part
        return std::move(g).value();
    }
    void forget(const std::string& group) const { tree.remove_files_in(dir(group)); }
};

}  // namespace

TEST_CASE("v2 backend enables the controllers its groups need") {
    FakeV2 fake(true, "");
    auto backend = fake.backend();
    CHECK(std::string(backend->measured_by()) == "cgroup-v2");
    CHECK(fake.tree.read(std::string(kSubtree) + "/cgroup.subtree_control") == "+memory +pids +cpu");

    FakeV2 partly(true, "memory");
    (void)partly.backend();
    CHECK(partly.tree.read(std::string(kSubtree) + "/cgroup.subtree_control") == "+pids +cpu");

    FakeV2 done(true, "cpu memory pids");
    (void)done.backend();
    CHECK(done.tree.read(std::string(kSubtree) + "/cgroup.subtree_control") == "cpu memory pids\n");
}

TEST_CASE("v2 backend without memory or pids on offer says how to get them") {
    FakeV2 fake;
    fake.tree.write(std::string(kSubtree) + "/cgroup.controllers", "cpu io\n");
    auto b = make_cgroup_v2(fake.tree.path(kSubtree));
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().kind == ErrorKind::setup);
    CHECK(b.error().message.find("memory, pids") != std::string::npos);
    CHECK(b.error().message.find("cgroup.subtree_control") != std::string::npos);
    CHECK(b.error().message.find("Delegate=") != std::string::npos);
}

TEST_CASE("v2 limits: memory.max, swap off, pids.max") {
    FakeV2 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "limits");
    REQUIRE(group->set_limits({256u << 20, 32}).ok());
    CHECK(fake.tree.read(fake.file("limits", "memory.max")) == "268435456");
    CHECK(fake.tree.read(fake.file("limits", "memory.swap.max")) == "0");
    CHECK(fake.tree.read(fake.file("limits", "pids.max")) == "32");
    REQUIRE(group->set_limits({0, 0}).ok());
    CHECK(fake.tree.read(fake.file("limits", "memory.max")) == "max");
    CHECK(fake.tree.read(fake.file("limits", "memory.swap.max")) == "0");
    CHECK(fake.tree.read(fake.file("limits", "pids.max")) == "max");

    REQUIRE(group->attach(777).ok());
    CHECK(fake.tree.read(fake.file("limits", "cgroup.procs")) == "777");
    fake.tree.write(fake.file("limits", "cgroup.procs"), "");

    // A controller that is not there is an error, never a silently created file.
    std::filesystem::remove(fake.tree.path(fake.file("limits", "pids.max")));
    auto no_pids = group->set_limits({1 << 20, 1});
    REQUIRE_FALSE(no_pids.ok());
    CHECK(no_pids.error().message.find("pids.max") != std::string::npos);
    CHECK_FALSE(fake.tree.exists(fake.file("limits", "pids.max")));
    fake.forget("limits");
}

TEST_CASE("v2 usage is parsed from cpu.stat, memory.* and pids.*") {
    FakeV2 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "usage");
    fake.tree.write(fake.file("usage", "cpu.stat"),
                    "usage_usec 2500123\nuser_usec 2000000\nsystem_usec 500123\n"
                    "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n");
    fake.tree.write(fake.file("usage", "memory.current"), "4096000\n");
    fake.tree.write(fake.file("usage", "memory.peak"), "16777216\n");
    fake.tree.write(fake.file("usage", "memory.events"),
                    "low 0\nhigh 0\nmax 41\noom 2\noom_kill 1\noom_group_kill 0\n");
    fake.tree.write(fake.file("usage", "pids.events"), "max 9\n");
    fake.tree.write(fake.file("usage", "pids.current"), "4\n");
    auto u = group->usage();
    REQUIRE_MESSAGE(u.ok(), u.error().describe());
    CHECK(u->cpu_usage_us == 2500123);
    CHECK(u->memory_current_bytes == 4096000);
    CHECK(u->memory_peak_bytes == 16777216);
    CHECK(u->memory_peak_known);
    CHECK(u->oom_kills == 1);  // not the "oom" line
    CHECK(u->pids_limit_hits == 9);
    CHECK(u->pids_current == 4);

    // Before Linux 5.19 there is no memory.peak: the caller must know.
    std::filesystem::remove(fake.tree.path(fake.file("usage", "memory.peak")));
    auto old = group->usage();
    REQUIRE(old.ok());
    CHECK_FALSE(old->memory_peak_known);
    CHECK(old->memory_peak_bytes == 0);

    fake.tree.write(fake.file("usage", "cpu.stat"), "user_usec 1\n");
    auto broken = group->usage();
    REQUIRE_FALSE(broken.ok());
    CHECK(broken.error().message.find("usage_usec") != std::string::npos);
    fake.forget("usage");
}

TEST_CASE("v2 memory.peak is reset and then read through one kept fd") {
    FakeV2 fake(true);
    auto backend = fake.backend();
    REQUIRE(backend->can_reset_peak());
    auto group = fake.group(*backend, "peak");
    fake.tree.write(fake.file("peak", "memory.peak"), "999999\n");
    REQUIRE(group->reset_peak().ok());
    CHECK(fake.tree.read(fake.file("peak", "memory.peak")).rfind("reset", 0) == 0);
    // The kernel's answer through the same fd after the reset.
    fake.tree.write(fake.file("peak", "memory.peak"), "1234\n");
    auto u = group->usage();
    REQUIRE(u.ok());
    CHECK(u->memory_peak_bytes == 1234);
    fake.forget("peak");

    FakeV2 old_kernel(false);  // memory.peak not writable: Linux < 6.12
    auto old_backend = old_kernel.backend();
    CHECK_FALSE(old_backend->can_reset_peak());
    auto g = old_kernel.group(*old_backend, "peak");
    auto refused = g->reset_peak();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("6.12") != std::string::npos);
    old_kernel.forget("peak");
}

TEST_CASE("v2 clone_into_fd is the group's directory") {
    FakeV2 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "clone");
    int fd = group->clone_into_fd();
    REQUIRE(fd >= 0);
    struct stat by_fd {}, by_path {};
    REQUIRE(::fstat(fd, &by_fd) == 0);
    REQUIRE(::stat(fake.tree.path(fake.dir("clone")).c_str(), &by_path) == 0);
    CHECK(S_ISDIR(by_fd.st_mode));
    CHECK(by_fd.st_ino == by_path.st_ino);
    CHECK(group->directories() == std::vector<std::string>{fake.tree.path(fake.dir("clone"))});
    auto join = group->open_join_files();  // born inside: nothing to join afterwards
    REQUIRE(join.ok());
    CHECK(join->empty());
    fake.forget("clone");
    REQUIRE(group->destroy().ok());
    CHECK(group->clone_into_fd() == -1);
    CHECK_FALSE(fake.tree.exists(fake.dir("clone")));
}

TEST_CASE("v2 kill_all writes cgroup.kill and waits for populated 0") {
    FakeV2 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "kill");
    fake.tree.write(fake.file("kill", "cgroup.events"), "populated 1\nfrozen 0\n");
    CHECK_FALSE(group->empty());
    std::thread kernel([&] {
        while (fake.tree.read(fake.file("kill", "cgroup.kill")) != "1")
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        fake.tree.replace(fake.file("kill", "cgroup.events"), "populated 0\nfrozen 0\n");
    });
    auto killed = group->kill_all();
    kernel.join();
    REQUIRE_MESSAGE(killed.ok(), killed.error().describe());
    CHECK(group->empty());
    fake.forget("kill");
}

TEST_CASE("v2 kill_all without cgroup.kill (Linux < 5.14) kills each listed task") {
    FakeV2 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "oldkill");
    std::filesystem::remove(fake.tree.path(fake.file("oldkill", "cgroup.kill")));
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        for (;;) ::pause();
    }
    fake.tree.write(fake.file("oldkill", "cgroup.procs"), std::to_string(child) + "\n");
    fake.tree.write(fake.file("oldkill", "cgroup.events"), "populated 1\nfrozen 0\n");
    int status = 0;
    std::thread kernel([&] {
        ::waitpid(child, &status, 0);
        fake.tree.replace(fake.file("oldkill", "cgroup.procs"), "");
        fake.tree.replace(fake.file("oldkill", "cgroup.events"), "populated 0\nfrozen 0\n");
    });
    auto killed = group->kill_all();
    kernel.join();
    REQUIRE_MESSAGE(killed.ok(), killed.error().describe());
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    fake.forget("oldkill");
}

TEST_CASE("v2 destroy reports what stops it and can be retried") {
    FakeV2 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "gone");
    auto refused = group->destroy();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find(fake.tree.path(fake.dir("gone"))) != std::string::npos);
    fake.forget("gone");
    REQUIRE(group->destroy().ok());
    CHECK_FALSE(fake.tree.exists(fake.dir("gone")));

    auto clash = backend->create("again");
    REQUIRE(clash.ok());
    auto twice = backend->create("again");
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().message.find("already exists") != std::string::npos);
}
