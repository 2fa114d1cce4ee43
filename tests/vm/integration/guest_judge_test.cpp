// Judging in a VM gives the same verdicts as the process tier: one C job
// whose tests are AC, WA, TLE, MLE and RE (one compile, one VM), and a job
// that does not compile. Each job also runs through the host's own judge.
#include <doctest/doctest.h>

#include "host/tier.hpp"
#include "ringfence/judge.hpp"
#include "vm_fixture.hpp"

using namespace ringfence;
using namespace ringfence::vm;
using namespace ringfence::vm::testing;

namespace {

constexpr const char* kBehaviours = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    char mode[16] = {0};
    if (scanf("%15s", mode) != 1) return 3;
    if (!strcmp(mode, "ac")) { puts("42"); return 0; }
    if (!strcmp(mode, "wa")) { puts("41"); return 0; }
    if (!strcmp(mode, "tle")) { volatile unsigned long x = 0; for (;;) x++; }
    if (!strcmp(mode, "mle")) {
        /* volatile: the compiler must not drop the allocation */
        size_t n = (size_t)200 << 20;
        volatile char *p = malloc(n);
        if (!p) return 4;
        for (size_t i = 0; i < n; i += 4096) p[i] = 1;
        printf("%d\n", p[n - 4096]);
        return 0;
    }
    if (!strcmp(mode, "re")) abort();
    return 0;
}
)";

Job behaviours_job() {
    Job job;
    job.language = "c";
    job.sources = {{"main.c", kBehaviours}};
    for (const char* mode : {"ac", "wa", "tle", "mle", "re"}) {
        TestCase t;
        t.stdin_data = std::string(mode) + "\n";
        t.expected_output = "42\n";
        job.tests.push_back(t);
    }
    job.run_limits.cpu_time_ms = 1000;
    job.run_limits.wall_time_ms = 10'000;
    job.run_limits.memory_kib = 64 * 1024;
    // TCG compiles slowly: room for it, the same limits in both tiers.
    job.compile_limits.cpu_time_ms = 30'000;
    job.compile_limits.wall_time_ms = 60'000;
    return job;
}

Job broken_job() {
    Job job;
    job.language = "c";
    job.sources = {{"main.c", "int main(void) { return undefined_name; }\n"}};
    TestCase t;
    t.expected_output = "";
    job.tests.push_back(t);
    job.compile_limits.cpu_time_ms = 30'000;
    job.compile_limits.wall_time_ms = 60'000;
    return job;
}

// The same job through the host's process tier.
JobResult judge_on_host(const Job& job) {
    static auto launcher = Launcher::create(LauncherConfig{});
    REQUIRE(launcher.ok());
    static const ProfileStore profiles;
    static auto judge = Judge::create(JudgeConfig{}, **launcher, profiles);
    REQUIRE(judge.ok());
    auto normalized = (*judge)->normalize(job);
    REQUIRE(normalized.ok());
    return (*judge)->run(*normalized, JudgeContext{});
}

std::string verdicts(const JobResult& r) {
    std::string out = to_string(r.verdict);
    for (const auto& t : r.tests) out += std::string(" ") + to_string(t.verdict);
    return out;
}

}  // namespace

TEST_CASE("judging in a VM gives the process tier's verdicts: AC, WA, TLE, MLE, RE, CE") {
    if (!vm_host_usable() || real_image().empty()) return;
    auto tier = tier_for(real_image());

    auto vm_result = tier->judge(behaviours_job());
    REQUIRE_MESSAGE(vm_result.ok(), (vm_result.ok() ? "" : vm_result.error().describe()));
    const JobResult& in_vm = vm_result->result;
    INFO("vm: ", verdicts(in_vm), " ", in_vm.internal_error, " ", in_vm.compile_output);
    REQUIRE(in_vm.tests.size() == 5);
    CHECK(in_vm.tier == "vm");
    CHECK(in_vm.tests[0].verdict == Verdict::accepted);
    CHECK(in_vm.tests[1].verdict == Verdict::wrong_answer);
    CHECK(in_vm.tests[2].verdict == Verdict::time_limit_exceeded);
    CHECK(in_vm.tests[2].time_limit_kind == "cpu");
    CHECK(in_vm.tests[3].verdict == Verdict::memory_limit_exceeded);
    CHECK(in_vm.tests[4].verdict == Verdict::runtime_error);
    CHECK(in_vm.tests[4].run.signal_name == "SIGABRT");
    MESSAGE("VM judge (5 tests, one compile): ", vm_result->vm.total_us / 1000, " ms, boot ",
            vm_result->vm.boot_us / 1000, " ms (guest uptime at ready ", vm_result->vm.guest.uptime_ms,
            " ms, agent ", vm_result->vm.guest.agent_ms, " ms), accel ", std::string(to_string(vm_result->vm.accel)));

    const JobResult on_host = judge_on_host(behaviours_job());
    CHECK(verdicts(in_vm) == verdicts(on_host));

    auto broken = tier->judge(broken_job());
    REQUIRE(broken.ok());
    CHECK(broken->result.verdict == Verdict::compilation_error);
    CHECK(broken->result.compile_output.find("undefined_name") != std::string::npos);
    CHECK(verdicts(broken->result) == verdicts(judge_on_host(broken_job())));
}
