#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ringfence/profile.hpp"

using namespace ringfence;
namespace fs = std::filesystem;

TEST_CASE("the embedded default profile loads and runs C, C++ and Python's needs") {
    ProfileStore store;
    auto p = store.security("default");
    REQUIRE(p.ok());
    CHECK((*p)->name == "default");
    CHECK_FALSE((*p)->network_allowed);
    auto has = [&](const std::string& s) {
        return std::find((*p)->syscalls.begin(), (*p)->syscalls.end(), s) != (*p)->syscalls.end();
    };
    for (const char* s : {"read", "openat", "mmap", "clone", "execve", "futex", "socket:unix"}) CHECK(has(s));
    for (const char* s : {"ptrace", "socket:inet", "mount"}) CHECK_FALSE(has(s));
    CHECK((*p)->files.count("/etc/passwd") == 1);
}

TEST_CASE("extends: the network profile is default plus sockets and network") {
    ProfileStore store;
    auto p = store.security("network");
    REQUIRE(p.ok());
    CHECK((*p)->network_allowed);
    CHECK(std::find((*p)->syscalls.begin(), (*p)->syscalls.end(), "socket:inet") != (*p)->syscalls.end());
    CHECK((*p)->files.count("/etc/passwd") == 1);  // inherited
}

TEST_CASE("bad profiles are refused with a reason") {
    ProfileStore store;
    auto groups = store.read_text("seccomp/groups.json");
    REQUIRE(groups.ok());
    const char* bad[] = {
        R"({"mounts":[{"source":"relative","target":"/x"}]})",
        R"({"mounts":[{"source":"/x","target":"/../etc"}]})",
        R"({"syscall_groups":["no-such-group"]})",
        R"({"syscalls":["ptrace"]})",
        R"({"syscalls":["socket"]})",
        R"({"surprise":true})",
        R"({"network":"yes"})",
        R"({"files":{"relative/path":"x"}})",
        R"(not json)",
    };
    for (const char* doc : bad) {
        CAPTURE(doc);
        auto p = parse_security_profile(doc, *groups);
        CHECK_FALSE(p.ok());
        if (!p.ok()) CHECK(p.error().kind == ErrorKind::input);
    }
    CHECK_FALSE(store.security("../etc/passwd").ok());
    CHECK_FALSE(store.security("no-such-profile").ok());
}

TEST_CASE("a profiles directory takes precedence over the embedded copies") {
    char templ[] = "/tmp/ringfence-profiles-XXXXXX";
    fs::path dir = mkdtemp(templ);
    fs::create_directories(dir / "sandbox");
    std::ofstream(dir / "sandbox/default.json") << R"({"name":"default","description":"override","syscall_groups":["base"]})";
    ProfileStore store(dir);
    auto p = store.security("default");
    REQUIRE(p.ok());
    CHECK((*p)->description == "override");
    CHECK((*p)->mounts.empty());
    auto names = store.security_names();
    CHECK(std::find(names.begin(), names.end(), "network") != names.end());  // still embedded
    fs::remove_all(dir);
}
