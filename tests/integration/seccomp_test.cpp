// Every call in the fixed prologue ends the run as a security violation, and
// the violation names the call that was blocked.
#include <doctest/doctest.h>

#include "sandbox_fixture.hpp"

using namespace ringfence;
using namespace ringfence::test;

TEST_CASE("blocked system calls are named security violations") {
    const std::pair<const char*, const char*> cases[] = {
        {"ptrace", "ptrace"},
        {"mount", "mount"},
        {"umount", "umount2"},
        {"pivot_root", "pivot_root"},
        {"unshare", "unshare"},
        {"setns", "setns"},
        {"clone-newns", "clone"},
        {"keyctl", "keyctl"},
        {"bpf", "bpf"},
        {"io_uring", "io_uring_setup"},
        {"open_by_handle_at", "open_by_handle_at"},
        {"perf_event_open", "perf_event_open"},
        {"userfaultfd", "userfaultfd"},
        {"tiocsti", "ioctl"},
        {"tiocsti-high", "ioctl"},
        {"inet", "socket"},
        {"x32", "x32:getpid"},
    };
    for (const auto& [test_case, syscall] : cases) {
        CAPTURE(test_case);
        auto r = probe(test_case);
        CHECK(r.status == RunStatus::security_violation);
        REQUIRE(r.violation.has_value());
        CHECK(*r.violation == syscall);
        CHECK(r.stdout_data.empty());  // it never got past the call
    }
}

TEST_CASE("ordinary ioctls and clone for threads still work") {
    auto r = probe("ioctl-ok");
    CHECK(r.status == RunStatus::ok);
    CHECK(r.stdout_data == "ioctl ok\n");
    auto threads = probe("burn-threads", "10");
    CHECK(threads.status == RunStatus::ok);
    CHECK_FALSE(threads.violation.has_value());
}

TEST_CASE("a profile can never allow a prologue call") {
    ProfileStore store;
    auto groups = store.read_text("seccomp/groups.json");
    REQUIRE(groups.ok());
    for (const char* name : {"ptrace", "bpf", "mount", "unshare", "io_uring_setup", "keyctl"}) {
        std::string json = std::string(R"({"name":"x","syscalls":[")") + name + "\"]}";
        auto p = parse_security_profile(json, *groups);
        CAPTURE(name);
        CHECK_FALSE(p.ok());
    }
}
