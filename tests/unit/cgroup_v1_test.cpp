// cgroup v1 backend against a fake cgroupfs tree.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "cgroup.hpp"
#include "cgroup_backends.hpp"
#include "cgroup_fake_tree.hpp"

using namespace ringfence;
using ringfence::testing::FakeTree;

namespace {

const char* const kMem = "memory/ringfence";
const char* const kPids = "pids/ringfence";
const char* const kCpu = "cpu,cpuacct/ringfence";

struct FakeV1 {
    FakeTree tree;

    FakeV1() {
        tree.write_all(kMem, testing::fresh_v1_memory_files());
        tree.write_all(kPids, testing::fresh_v1_pids_files());
        tree.write_all(kCpu, testing::fresh_v1_cpuacct_files());
    }
    std::unique_ptr<CgroupBackend> backend() const {
        auto b = make_cgroup_v1(tree.path(kMem), tree.path(kPids), tree.path(kCpu));
        REQUIRE_MESSAGE(b.ok(), b.error().describe());
        return std::move(b).value();
    }
    std::string mem(const std::string& group) const { return std::string(kMem) + "/" + group; }
    std::string pids(const std::string& group) const { return std::string(kPids) + "/" + group; }
    std::string cpu(const std::string& group) const { return std::string(kCpu) + "/" + group; }
    // Plays the kernel: a new group's control files appear after mkdir.
    void populate(const std::string& group) const {
        tree.write_all(mem(group), testing::fresh_v1_memory_files());
        tree.write_all(pids(group), testing::fresh_v1_pids_files());
        tree.write_all(cpu(group), testing::fresh_v1_cpuacct_files());
    }
    std::unique_ptr<CgroupGroup> group(CgroupBackend& b, const std::string& name) const {
        auto g = b.create(name);
        REQUIRE_MESSAGE(g.ok(), g.error().describe());
        populate(name);
        return std::move(g).value();
    }
    // Once the files are gone the directories can be removed, as after the last task left.
    void forget(const std::string& group) const {
        tree.remove_files_in(mem(group));
        tree.remove_files_in(pids(group));
        tree.remove_files_in(cpu(group));
    }
};

}  // namespace

TEST_CASE("v1 memory limit writes keep limit <= memsw at every step") {
    using cgroup::plan_v1_memory_limit;
    cgroup::V1MemoryState fresh;  // memsw unlimited
    auto lower = plan_v1_memory_limit(256u << 20, fresh);
    REQUIRE(lower.ok());
    REQUIRE(lower->size() == 2);
    CHECK((*lower)[0].file == "memory.limit_in_bytes");
    CHECK((*lower)[1].file == "memory.memsw.limit_in_bytes");
    CHECK((*lower)[0].value == "268435456");
    CHECK((*lower)[1].value == "268435456");

    cgroup::V1MemoryState limited;
    limited.memsw_limit_bytes = 64u << 20;
    auto raise = plan_v1_memory_limit(128u << 20, limited);
    REQUIRE(raise.ok());
    CHECK((*raise)[0].file == "memory.memsw.limit_in_bytes");
    CHECK((*raise)[1].file == "memory.limit_in_bytes");

    auto unlimit = plan_v1_memory_limit(0, limited);
    REQUIRE(unlimit.ok());
    CHECK((*unlimit)[0].file == "memory.memsw.limit_in_bytes");
    CHECK((*unlimit)[0].value == "-1");
    CHECK((*unlimit)[1].value == "-1");

    auto same = plan_v1_memory_limit(64u << 20, limited);
    REQUIRE(same.ok());
    CHECK((*same)[0].file == "memory.limit_in_bytes");
}

TEST_CASE("v1 without swap accounting refuses a limit only when swap could escape it") {
    cgroup::V1MemoryState no_memsw;
    no_memsw.has_memsw = false;
    auto plan = cgroup::plan_v1_memory_limit(1 << 20, no_memsw);
    REQUIRE(plan.ok());
    REQUIRE(plan->size() == 1);
    CHECK((*plan)[0].file == "memory.limit_in_bytes");

    no_memsw.swap_active = true;
    auto refused = cgroup::plan_v1_memory_limit(1 << 20, no_memsw);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::setup);
    CHECK(refused.error().message.find("swapaccount=1") != std::string::npos);
    CHECK(cgroup::plan_v1_memory_limit(0, no_memsw).ok());
}

TEST_CASE("v1 group: directories in all three hierarchies, limits in the right files") {
    FakeV1 fake;
    auto backend = fake.backend();
    CHECK(std::string(backend->measured_by()) == "cgroup-v1");
    CHECK(backend->can_reset_peak());
    auto group = fake.group(*backend, "run-1");
    CHECK(group->clone_into_fd() == -1);
    CHECK(group->name() == "run-1");
    auto dirs = group->directories();
    REQUIRE(dirs.size() == 3);
    CHECK(dirs[0] == fake.tree.path("memory/ringfence/run-1"));
    CHECK(dirs[2] == fake.tree.path("cpu,cpuacct/ringfence/run-1"));

    REQUIRE(group->set_limits({64u << 20, 5}).ok());
    CHECK(fake.tree.read(fake.mem("run-1") + "/memory.limit_in_bytes") == "67108864");
    CHECK(fake.tree.read(fake.mem("run-1") + "/memory.memsw.limit_in_bytes") == "67108864");
    CHECK(fake.tree.read(fake.pids("run-1") + "/pids.max") == "5");

    REQUIRE(group->set_limits({0, 0}).ok());
    CHECK(fake.tree.read(fake.mem("run-1") + "/memory.limit_in_bytes") == "-1");
    CHECK(fake.tree.read(fake.pids("run-1") + "/pids.max") == "max");

    REQUIRE(group->attach(4242).ok());
    CHECK(fake.tree.read(fake.mem("run-1") + "/cgroup.procs") == "4242");
    CHECK(fake.tree.read(fake.pids("run-1") + "/cgroup.procs") == "4242");
    CHECK(fake.tree.read(fake.cpu("run-1") + "/cgroup.procs") == "4242");
    CHECK(group->attach(0).error().kind == ErrorKind::input);
    fake.tree.write(fake.mem("run-1") + "/cgroup.procs", "");
    fake.tree.write(fake.pids("run-1") + "/cgroup.procs", "");
    fake.tree.write(fake.cpu("run-1") + "/cgroup.procs", "");
    fake.forget("run-1");
}

TEST_CASE("v1 join files are each hierarchy's tasks file, open for writing") {
    FakeV1 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "run-2");
    auto files = group->open_join_files();
    REQUIRE_MESSAGE(files.ok(), files.error().describe());
    REQUIRE(files->size() == 3);
    // What the init does with them: "0" is "the writing thread itself".
    for (const auto& f : *files) REQUIRE(::write(f.get(), "0", 1) == 1);
    CHECK(fake.tree.read(fake.mem("run-2") + "/tasks") == "0");
    CHECK(fake.tree.read(fake.pids("run-2") + "/tasks") == "0");
    CHECK(fake.tree.read(fake.cpu("run-2") + "/tasks") == "0");
    fake.tree.write(fake.mem("run-2") + "/tasks", "");
    fake.tree.write(fake.pids("run-2") + "/tasks", "");
    fake.tree.write(fake.cpu("run-2") + "/tasks", "");

    // A hierarchy without one is not a cgroup v1 group we can join: say which.
    ::unlink(fake.tree.path(fake.pids("run-2") + "/tasks").c_str());
    auto missing = group->open_join_files();
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::setup);
    CHECK(missing.error().message.find(fake.tree.path(fake.pids("run-2")) + "/tasks") != std::string::npos);
    fake.forget("run-2");
}

TEST_CASE("v1 usage is parsed from the kernel's formats") {
    FakeV1 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "usage");
    fake.tree.write(fake.cpu("usage") + "/cpuacct.usage", "1234567890\n");
    fake.tree.write(fake.mem("usage") + "/memory.memsw.usage_in_bytes", "1048576\n");
    fake.tree.write(fake.mem("usage") + "/memory.memsw.max_usage_in_bytes", "9437184\n");
    fake.tree.write(fake.mem("usage") + "/memory.usage_in_bytes", "1000\n");
    fake.tree.write(fake.mem("usage") + "/memory.oom_control",
                    "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
    fake.tree.write(fake.pids("usage") + "/pids.events", "max 7\n");
    fake.tree.write(fake.pids("usage") + "/pids.current", "3\n");
    auto u = group->usage();
    REQUIRE_MESSAGE(u.ok(), u.error().describe());
    CHECK(u->cpu_usage_us == 1234567);
    CHECK(u->memory_current_bytes == 1048576);  // memory+swap when swap is accounted
    CHECK(u->memory_peak_bytes == 9437184);
    CHECK(u->memory_peak_known);
    CHECK(u->oom_kills == 1);
    CHECK(u->pids_limit_hits == 7);
    CHECK(u->pids_current == 3);

    // Without swap accounting (a boot-time setting, so a group asks only once)
    // the plain memory figures are used.
    auto no_swap = fake.group(*backend, "no-swap");
    std::filesystem::remove(fake.tree.path(fake.mem("no-swap") + "/memory.memsw.limit_in_bytes"));
    fake.tree.write(fake.mem("no-swap") + "/memory.memsw.usage_in_bytes", "1048576\n");
    fake.tree.write(fake.mem("no-swap") + "/memory.usage_in_bytes", "1000\n");
    auto plain = no_swap->usage();
    REQUIRE(plain.ok());
    CHECK(plain->memory_current_bytes == 1000);

    // A kernel without the oom_kill line cannot tell OOM kills: an error, not a 0.
    fake.tree.write(fake.mem("usage") + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
    auto old_kernel = group->usage();
    REQUIRE_FALSE(old_kernel.ok());
    CHECK(old_kernel.error().message.find("oom_kill") != std::string::npos);

    REQUIRE(group->reset_peak().ok());
    CHECK(fake.tree.read(fake.mem("usage") + "/memory.max_usage_in_bytes") == "0");
    CHECK(fake.tree.read(fake.mem("usage") + "/memory.memsw.max_usage_in_bytes") == "0");
    fake.forget("usage");
}

TEST_CASE("v1 kill_all kills every listed task and waits until all hierarchies are empty") {
    FakeV1 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "kill");
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        for (;;) ::pause();
    }
    for (const auto& dir : {fake.mem("kill"), fake.pids("kill"), fake.cpu("kill")})
        fake.tree.write(dir + "/cgroup.procs", std::to_string(child) + "\n");
    CHECK_FALSE(group->empty());
    int status = 0;
    // The kernel's part: a task that died leaves cgroup.procs.
    std::thread reaper([&] {
        ::waitpid(child, &status, 0);
        for (const auto& dir : {fake.mem("kill"), fake.pids("kill"), fake.cpu("kill")})
            fake.tree.replace(dir + "/cgroup.procs", "");
    });
    auto killed = group->kill_all();
    reaper.join();
    REQUIRE_MESSAGE(killed.ok(), killed.error().describe());
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK(group->empty());
    fake.forget("kill");
}

TEST_CASE("v1 destroy removes the directories, and can be retried after a failure") {
    FakeV1 fake;
    auto backend = fake.backend();
    auto group = fake.group(*backend, "gone");
    auto busy = group->destroy();  // plain files still there: rmdir refuses
    REQUIRE_FALSE(busy.ok());
    CHECK(busy.error().message.find(fake.tree.path(fake.mem("gone"))) != std::string::npos);
    fake.forget("gone");
    REQUIRE(group->destroy().ok());
    CHECK_FALSE(fake.tree.exists(fake.mem("gone")));
    CHECK_FALSE(fake.tree.exists(fake.pids("gone")));
    CHECK_FALSE(fake.tree.exists(fake.cpu("gone")));
    CHECK(group->destroy().ok());
}

TEST_CASE("v1 create refuses bad names and existing groups, and undoes a partial create") {
    FakeV1 fake;
    auto backend = fake.backend();
    for (const char* bad : {"", "..", "a/b", "x y", "../escape"}) {
        auto g = backend->create(bad);
        REQUIRE_FALSE(g.ok());
        CHECK(g.error().kind == ErrorKind::input);
    }
    fake.tree.mkdir(fake.cpu("taken"));
    auto clash = backend->create("taken");
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.error().message.find("already exists") != std::string::npos);
    CHECK_FALSE(fake.tree.exists(fake.mem("taken")));  // memory and pids dirs were rolled back
    CHECK_FALSE(fake.tree.exists(fake.pids("taken")));
}

TEST_CASE("make_cgroup_v1 names a directory that is not the expected controller") {
    FakeV1 fake;
    auto wrong = make_cgroup_v1(fake.tree.path(kMem), fake.tree.path(kCpu), fake.tree.path(kCpu));
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("not a cgroup v1 pids group") != std::string::npos);
    auto missing = make_cgroup_v1(fake.tree.path("nowhere"), fake.tree.path(kPids),
                                  fake.tree.path(kCpu));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("nowhere") != std::string::npos);
}

TEST_CASE("group names carry their creator's pid and start time, and only such names are parsed") {
    const auto started = cgroup::process_start_ticks(::getpid());
    REQUIRE(started.has_value());
    const std::string mine = group_name("sb", 7);
    CHECK(mine == "sb-" + std::to_string(::getpid()) + "-" + std::to_string(*started) + "-7");
    auto creator = cgroup::group_creator(mine);
    REQUIRE(creator.has_value());
    CHECK(creator->pid == ::getpid());
    CHECK(creator->start_ticks == *started);
    creator = cgroup::group_creator("vm-42-100-0");
    REQUIRE(creator.has_value());
    CHECK(creator->pid == 42);
    CHECK(creator->start_ticks == 100);
    for (const char* other : {"ringfence-ci", "itest-limits-42-0", "sb-42-1", "sb--1-1", "-42-1-1", "sb-0-1-1",
                              "sb-42-1-x", "sb-42-1-2-3", "sb-4294967296-1-1", "s1-42-1-1", "sb- 42-1-1",
                              "sb-42--1"}) {
        CAPTURE(other);
        CHECK_FALSE(cgroup::group_creator(other).has_value());
    }
}

TEST_CASE("stale groups: only empty ones whose creator is gone are removed, in every hierarchy") {
    FakeV1 fake;
    auto backend = fake.backend();
    pid_t dead = ::fork();
    REQUIRE(dead >= 0);
    if (dead == 0) ::_exit(0);
    REQUIRE(::waitpid(dead, nullptr, 0) == dead);
    const auto init_started = cgroup::process_start_ticks(1);
    REQUIRE(init_started.has_value());
    const std::string gone = "sb-" + std::to_string(dead) + "-5-0";
    // pid 1 lives, but not the process that started at another time: its pid was reused.
    const std::string reused = "vm-1-" + std::to_string(*init_started + 1) + "-0";
    const std::string busy = "sb-" + std::to_string(dead) + "-5-1";  // plain files make rmdir fail, as tasks do
    const std::string live = "vm-1-" + std::to_string(*init_started) + "-0";
    const std::string own = group_name("sb", 3);
    for (const char* subtree : {kMem, kPids, kCpu}) {
        for (const auto& name : {gone, reused, live, own, std::string("ringfence-ci")})
            fake.tree.mkdir(std::string(subtree) + "/" + name);
        fake.tree.write(std::string(subtree) + "/" + busy + "/tasks", "4242\n");
    }
    auto removed = backend->remove_stale_groups();
    REQUIRE_MESSAGE(removed.ok(), removed.error().describe());
    CHECK(*removed == 6);
    for (const char* subtree : {kMem, kPids, kCpu}) {
        CAPTURE(subtree);
        for (const auto& name : {gone, reused}) CHECK_FALSE(fake.tree.exists(std::string(subtree) + "/" + name));
        for (const auto& name : {busy, live, own, std::string("ringfence-ci")})
            CHECK(fake.tree.exists(std::string(subtree) + "/" + name));
    }
}
