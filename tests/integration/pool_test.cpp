// Sandboxes prepared ahead of time must behave exactly like fresh ones, even
// when they were prepared expecting other limits than the run asks for.
#include <signal.h>

#include <chrono>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sandbox_fixture.hpp"

namespace ringfence::test {
namespace {

std::unique_ptr<Launcher> pooled_launcher(unsigned pool_size = 2, unsigned pool_max = 0) {
    LauncherConfig config = launcher_config();
    config.pool_size = pool_size;
    config.pool_max = pool_max;
    auto created = Launcher::create(config);
    if (!created) FAIL("Launcher::create: ", created.error().describe());
    return std::move(created.value());
}

// A probe run in the pool's shape: the pool matches profiles by identity, so
// every spec of a test shares one profile object (as the judge's runs of one
// language do).
RunSpec pooled_probe(const std::shared_ptr<const SecurityProfile>& shared, const std::string& test_case,
                     const std::string& arg = {}) {
    RunSpec spec = probe_spec(test_case, arg);
    spec.profile = shared;
    return spec;
}

// Runs `spec` until a run is served by a pooled sandbox. Every run, pooled or
// not, must end as `expected`: runs that missed the pool are checked too.
RunResult run_from_pool(Launcher& launcher, const RunSpec& spec, RunStatus expected) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        RunResult r = launcher.run(spec);
        CHECK_MESSAGE(r.status == expected, to_string(r.status), " ", r.error);
        if (r.phases.from_pool) return r;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("no run was served by the pool");
    return {};
}

// Waits (a minute at most) until `launcher` has `count` sandboxes ready; says how many it has.
unsigned wait_until_ready(const Launcher& launcher, unsigned count) {
    for (int waited_ms = 0; launcher.ready_sandboxes() < count && waited_ms < 60'000; waited_ms += 20)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return launcher.ready_sandboxes();
}

// The same, then a little longer: a pool that overshoots would have built more by then.
unsigned ready_after_filling(const Launcher& launcher, unsigned count) {
    wait_until_ready(launcher, count);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return launcher.ready_sandboxes();
}

// Host pids of the processes whose parent is `parent`, read from /proc/*/stat.
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> children;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;  // gone meanwhile
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        const auto after_comm = line.rfind(')');
        if (after_comm == std::string::npos) continue;
        std::istringstream rest(line.substr(after_comm + 1));
        char state = 0;
        pid_t ppid = 0;
        if (rest >> state >> ppid && ppid == parent) children.push_back(std::stoi(name));
    }
    return children;
}

}  // namespace

TEST_CASE("a pooled sandbox prepared for other limits enforces the run's own") {
    auto launcher = pooled_launcher();
    const auto shared = profile();
    RunSpec roomy = pooled_probe(shared, "exit", "0");
    roomy.limits.memory_kib = 512 * 1024;
    roomy.limits.processes = 64;
    launcher->prewarm(roomy);
    run_from_pool(*launcher, roomy, RunStatus::ok);

    // The ready sandboxes expect 512 MiB and 64 processes.
    RunSpec bomb = pooled_probe(shared, "memory-bomb");
    bomb.limits.memory_kib = 32 * 1024;
    bomb.limits.processes = 64;
    auto tight = run_from_pool(*launcher, bomb, RunStatus::memory_limit);
    CHECK(tight.memory_kib >= 30 * 1024);
    CHECK(tight.memory_kib <= 33 * 1024);

    // The pool now prepares for 32 MiB; a run asking for more must get more.
    bomb.limits.memory_kib = 48 * 1024;
    auto looser = run_from_pool(*launcher, bomb, RunStatus::memory_limit);
    CHECK(looser.memory_kib >= 46 * 1024);
    CHECK(looser.memory_kib <= 49 * 1024);

    RunSpec forks = pooled_probe(shared, "fork-bomb");
    forks.limits.memory_kib = 48 * 1024;
    forks.limits.processes = 5;
    run_from_pool(*launcher, forks, RunStatus::process_limit);
}

TEST_CASE("a pooled sandbox prepared for the run's limits measures from the run's start") {
    auto launcher = pooled_launcher();
    const auto shared = profile();
    RunSpec bomb = pooled_probe(shared, "memory-bomb");
    bomb.limits.memory_kib = 32 * 1024;
    launcher->prewarm(bomb);
    for (int i = 0; i < 3; ++i) {
        auto r = run_from_pool(*launcher, bomb, RunStatus::memory_limit);
        CHECK(r.memory_kib >= 30 * 1024);
        CHECK(r.memory_kib <= 33 * 1024);
    }
    // CPU time starts at zero for each run, not at what the init used.
    RunSpec burn = pooled_probe(shared, "burn-threads", "100");
    burn.limits.memory_kib = 32 * 1024;
    auto r = run_from_pool(*launcher, burn, RunStatus::ok);
    CHECK(r.cpu_time_us >= 400'000);
    CHECK(r.cpu_time_us < 1'500'000);
}

TEST_CASE("the pool serves a burst and is full again once runs pause") {
    auto launcher = pooled_launcher(8);
    const auto shared = profile();
    RunSpec spec = pooled_probe(shared, "exit", "0");
    launcher->prewarm(spec);
    REQUIRE(wait_until_ready(*launcher, 8) == 8);
    // Six runs back to back leave the reserve (two): each is served from the pool.
    for (int i = 0; i < 6; ++i) {
        auto r = launcher->run(spec);
        CHECK(r.status == RunStatus::ok);
        CHECK(r.phases.from_pool);
    }
    CHECK(launcher->ready_sandboxes() <= 8);
    CHECK(wait_until_ready(*launcher, 8) == 8);
    CHECK(launcher->active_sandboxes() == 0);
}

TEST_CASE("a shape never prewarmed is built on demand and not kept") {
    auto launcher = pooled_launcher(4);
    RunSpec once = pooled_probe(profile(), "exit", "0");
    for (int i = 0; i < 2; ++i) {
        auto r = launcher->run(once);
        CHECK(r.status == RunStatus::ok);
        CHECK_FALSE(r.phases.from_pool);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a pause: the pool would refill now
        CHECK(launcher->ready_sandboxes() == 0);
    }
}

TEST_CASE("a pooled sandbox whose program process died is skipped, not handed to a run") {
    auto launcher = pooled_launcher(2);
    const auto shared = profile();
    RunSpec spec = pooled_probe(shared, "exit", "0");
    launcher->prewarm(spec);
    REQUIRE(wait_until_ready(*launcher, 2) == 2);

    // This process -> the init server -> each sandbox's init -> its program
    // process, waiting for a run. No other sandbox of this process is alive
    // now, so what is killed here belongs to the two ready ones. Their inits
    // stay: only the program processes' sockets tell that the sandbox is dead.
    std::size_t killed = 0;
    for (pid_t server : children_of(getpid()))
        for (pid_t init : children_of(server))
            for (pid_t program : children_of(init)) {
                REQUIRE(::kill(program, SIGKILL) == 0);
                ++killed;
            }
    REQUIRE(killed == 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));

    for (int i = 0; i < 3; ++i) {
        auto r = launcher->run(spec);
        CHECK_MESSAGE(r.status == RunStatus::ok, to_string(r.status), " ", r.error);
    }
}

TEST_CASE("a prewarm for many runs keeps that many ready, up to pool_max") {
    RunSpec spec = pooled_probe(profile(), "exit", "0");
    {
        auto launcher = pooled_launcher(2, 6);
        launcher->prewarm(spec, 20);  // a job of 20 tests: as deep as pool_max allows
        CHECK(ready_after_filling(*launcher, 6) == 6);
        // Drawn down and refilled to that depth, not to pool_size.
        for (int i = 0; i < 4; ++i) CHECK(launcher->run(spec).status == RunStatus::ok);
        CHECK(ready_after_filling(*launcher, 6) == 6);
        // A smaller want soon after (a job of few tests) leaves the depth alone.
        launcher->prewarm(spec);
        for (int i = 0; i < 4; ++i) CHECK(launcher->run(spec).status == RunStatus::ok);
        CHECK(ready_after_filling(*launcher, 6) == 6);
    }
    {
        auto launcher = pooled_launcher(2, 6);
        launcher->prewarm(spec, 4);
        CHECK(ready_after_filling(*launcher, 4) == 4);
    }
    {
        auto launcher = pooled_launcher(2);  // no pool_max: pool_size is the most
        launcher->prewarm(spec, 20);
        CHECK(ready_after_filling(*launcher, 2) == 2);
    }
}

TEST_CASE("shapes grow beyond pool_size only while all together hold fewer than pool_max") {
    auto launcher = pooled_launcher(2, 6);
    RunSpec first = pooled_probe(profile(), "exit", "0");
    RunSpec second = first;
    second.limits.box_size_kib = first.limits.box_size_kib / 2;  // another shape
    launcher->prewarm(first, 20);
    launcher->prewarm(second, 20);
    // Each shape always gets its pool_size; the growth beyond is shared. So at
    // most 6 + 2 (one shape grew to 6 before the other had its 2), not 6 of each.
    const unsigned filled = ready_after_filling(*launcher, 6);
    CHECK(filled >= 6);
    CHECK(filled <= 8);
    CHECK(launcher->run(first).status == RunStatus::ok);
    CHECK(launcher->run(second).status == RunStatus::ok);
    const unsigned refilled = ready_after_filling(*launcher, 6);
    CHECK(refilled >= 6);
    CHECK(refilled <= 8);
}

TEST_CASE("a run's start is split into phases, whichever process takes the request") {
    auto launcher = pooled_launcher();
    const auto shared = profile();
    RunSpec through_init = pooled_probe(shared, "exit", "0");  // its bind is mounted by the init
    RunSpec straight = through_init;
    straight.binds.clear();
    straight.argv = {"/bin/true"};
    launcher->prewarm(straight);
    for (const RunSpec* spec : {&through_init, &straight}) {
        CAPTURE(spec->argv[0]);
        RunResult r = spec == &straight ? run_from_pool(*launcher, *spec, RunStatus::ok) : launcher->run(*spec);
        REQUIRE(r.status == RunStatus::ok);
        // The program's process reports these just before execve; the split
        // adds up to the start (each part truncated to whole microseconds).
        CHECK(r.phases.start_us > 0);
        CHECK(r.phases.run_us > 0);
        CHECK(r.phases.handover_us + r.phases.spawn_us + r.phases.confine_us <= r.phases.start_us);
        CHECK(r.phases.handover_us + r.phases.spawn_us + r.phases.confine_us + 3 >= r.phases.start_us);
        CHECK(r.phases.start_us + r.phases.run_us <= r.wall_time_us + 1);
    }
}

}  // namespace ringfence::test
