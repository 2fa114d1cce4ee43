// Every limit ends the run with its own exact status, and figures are reported
// even when a limit was hit.
#include <doctest/doctest.h>

#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

TEST_CASE("fork bomb and thread bomb hit the process limit") {
    for (const char* bomb : {"fork-bomb", "thread-bomb"}) {
        CAPTURE(bomb);
        RunSpec spec = probe_spec(bomb);
        spec.limits.processes = 8;
        spec.limits.cpu_time_ms = 1000;
        auto r = run(spec);
        CHECK(r.status == RunStatus::process_limit);
    }
}

TEST_CASE("a memory bomb hits the memory limit and the peak is reported") {
    RunSpec spec = probe_spec("memory-bomb");
    spec.limits.memory_kib = 32 * 1024;
    auto r = run(spec);
    CHECK(r.status == RunStatus::memory_limit);
    CHECK(r.memory_kib >= 30 * 1024);
    CHECK(r.memory_kib <= 33 * 1024);
}

TEST_CASE("stack overflow is a signal, not a limit") {
    RunSpec spec = probe_spec("stack-overflow");
    spec.limits.stack_kib = 1024;
    auto r = run(spec);
    CHECK(r.status == RunStatus::signaled);
    CHECK(r.signal_name == "SIGSEGV");
}

TEST_CASE("CPU time counts every thread") {
    // Four threads each burn 300 ms of their own CPU time and exit: whatever
    // the wall clock did, the run used at least 1.2 s of CPU.
    RunSpec spec = probe_spec("burn-threads", "300");
    spec.limits.cpu_time_ms = 5000;
    spec.limits.wall_time_ms = 20000;
    auto r = run(spec);
    CHECK(r.status == RunStatus::ok);
    CHECK(r.cpu_time_ms() >= 1150);

    RunSpec spin = probe_spec("spin-threads", "8");
    spin.limits.cpu_time_ms = 1000;
    spin.limits.wall_time_ms = 20000;
    auto s = run(spin);
    CHECK(s.status == RunStatus::time_limit);
    CHECK(s.cpu_time_ms() >= 1000);
    CHECK(s.cpu_time_ms() < 1500);  // stopped promptly, not at the rlimit backstop
}

TEST_CASE("sleeping forever hits the wall-time limit, with CPU time still reported") {
    RunSpec spec = probe_spec("sleep");
    spec.limits.wall_time_ms = 500;
    auto r = run(spec);
    CHECK(r.status == RunStatus::wall_time_limit);
    CHECK(r.wall_time_ms() >= 500);
    CHECK(r.wall_time_ms() < 3000);
    CHECK(r.cpu_time_ms() < 200);
}

TEST_CASE("an output flood is cut at the limit") {
    RunSpec spec = probe_spec("flood");
    spec.limits.output_bytes = 100000;
    auto r = run(spec);
    CHECK(r.status == RunStatus::output_limit);
    CHECK(r.stdout_truncated);
    CHECK(r.stdout_data.size() == 100000);
    CHECK(r.stdout_bytes > 100000);
}

TEST_CASE("filling the disk stops at the tmpfs size; a too-big file at the file-size limit") {
    for (const char* dir : {"/box", "/tmp", "/dev/shm"}) {
        CAPTURE(dir);
        RunSpec spec = probe_spec("disk-fill", dir);
        spec.limits.box_size_kib = 4096;
        spec.limits.file_size_bytes = 64 << 20;
        auto r = run(spec);
        CHECK(r.status == RunStatus::ok);
        CHECK(r.stdout_data.find("No space left on device") != std::string::npos);
    }
    RunSpec big = probe_spec("big-file");
    big.limits.file_size_bytes = 1 << 20;
    auto r = run(big);
    CHECK(r.status == RunStatus::file_size_limit);
    CHECK(r.signal_name == "SIGXFSZ");
}

TEST_CASE("file descriptors are capped") {
    RunSpec spec = probe_spec("fd-exhaust");
    spec.limits.open_files = 32;
    auto r = run(spec);
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data.find("opened 29 more fds: Too many open files") != std::string::npos);
}

TEST_CASE("exit codes and signals are reported") {
    auto e = probe("exit", "7");
    CHECK(e.status == RunStatus::nonzero_exit);
    CHECK(e.exit_code == 7);
    auto a = probe("abort");
    CHECK(a.status == RunStatus::signaled);
    CHECK(a.signal_name == "SIGABRT");
    auto ok = probe("exit", "0");
    CHECK(ok.status == RunStatus::ok);
    CHECK(ok.measured_by == launcher().measurement());
}
