#include <doctest/doctest.h>
#include <signal.h>

#include "run_classification.hpp"

using namespace ringfence;

namespace {
int exited(int code) { return code << 8; }
int killed(int sig) { return sig; }
RunObservations ended(int status) {
    RunObservations o;
    o.program_exited = true;
    o.wait_status = status;
    return o;
}
}  // namespace

TEST_CASE("plain outcomes") {
    CHECK(classify(ended(exited(0))) == RunStatus::ok);
    CHECK(classify(ended(exited(3))) == RunStatus::nonzero_exit);
    CHECK(classify(ended(killed(SIGSEGV))) == RunStatus::signaled);
    CHECK(classify(ended(killed(SIGXFSZ))) == RunStatus::file_size_limit);
    CHECK(classify(ended(killed(SIGXCPU))) == RunStatus::time_limit);
    RunObservations vanished;  // init gone without a report
    CHECK(classify(vanished) == RunStatus::setup_error);
}

TEST_CASE("precedence: the most specific cause wins") {
    auto o = ended(killed(SIGKILL));
    o.violation = true;
    o.oom_kills = 1;
    o.killed_for_cpu = true;
    CHECK(classify(o) == RunStatus::security_violation);
    o.violation = false;
    CHECK(classify(o) == RunStatus::memory_limit);
    o.oom_kills = 0;
    o.pids_limit_hits = 3;
    CHECK(classify(o) == RunStatus::process_limit);
    o.pids_limit_hits = 0;
    o.killed_for_wall = true;
    CHECK(classify(o) == RunStatus::time_limit);
    o.killed_for_cpu = false;
    CHECK(classify(o) == RunStatus::wall_time_limit);
    o.killed_for_wall = false;
    o.killed_for_output = true;
    CHECK(classify(o) == RunStatus::output_limit);
    o.setup_failed = true;
    CHECK(classify(o) == RunStatus::setup_error);
}

TEST_CASE("refused forks do not spoil a clean exit; CPU at the limit is a time limit") {
    auto o = ended(exited(0));
    o.pids_limit_hits = 5;
    CHECK(classify(o) == RunStatus::ok);
    auto slow = ended(exited(1));
    slow.cpu_limit_us = 1'000'000;
    slow.cpu_us = 1'000'000;
    CHECK(classify(slow) == RunStatus::time_limit);
    auto cancelled = ended(killed(SIGKILL));
    cancelled.killed_for_cancel = true;
    cancelled.pids_limit_hits = 1;
    CHECK(classify(cancelled) == RunStatus::setup_error);
}

TEST_CASE("signal names") {
    CHECK(signal_name(SIGSEGV) == "SIGSEGV");
    CHECK(signal_name(SIGKILL) == "SIGKILL");
    CHECK(signal_name(0).empty());
}
