// check_host() on the real machine must agree with facts read independently.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "sandbox_fixture.hpp"
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "ringfence/host_check.hpp"

using namespace ringfence;

namespace {

std::string read_line(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

const HostFinding& finding(const HostReport& report, const std::string& name) {
    const HostFinding* found = nullptr;
    for (const auto& f : report.findings)
        if (f.name == name) found = &f;
    REQUIRE_MESSAGE(found != nullptr, "no finding named " << name);
    return *found;
}

bool has_word(const std::string& text, const std::string& word) {
    return (" " + text + " ").find(" " + word + " ") != std::string::npos;
}

}  // namespace

TEST_CASE("ringfence check reports this host's facts") {
    HostReport report = check_host();
    MESSAGE(to_text(report));

    // Landlock: securityfs lists it among the active LSMs; where securityfs is not
    // mounted (this dev host), making a real ruleset is the independent witness.
    std::string lsm = read_line("/sys/kernel/security/lsm");
    bool landlock_active = false;
    if (!lsm.empty()) {
        landlock_active = ("," + lsm + ",").find(",landlock,") != std::string::npos;
    } else {
        landlock_ruleset_attr attr{};
        attr.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE;
        long fd = ::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
        landlock_active = fd >= 0;
        if (fd >= 0) ::close(static_cast<int>(fd));
    }
    const auto& landlock = finding(report, "Landlock");
    CHECK(landlock.ok == landlock_active);
    if (landlock_active) {
        REQUIRE(landlock.detail.rfind("ABI ", 0) == 0);
        CHECK(std::stoi(landlock.detail.substr(4)) >= 1);
    }

    // Sandboxes run here (the other integration tests), so their init image must execute.
    const auto& image = finding(report, "executable memfd (the sandbox init)");
    CHECK_MESSAGE(image.ok, image.detail);
    CHECK(image.required);

    std::string actions = read_line("/proc/sys/kernel/seccomp/actions_avail");
    CHECK(finding(report, "seccomp").ok ==
          (has_word(actions, "kill_process") && has_word(actions, "user_notif")));

    // KVM is reported by the VM tier's findings, which `ringfence check` adds.
    if (::access("/dev/kvm", F_OK) != 0) {
        std::string cmd = ringfence::test::ringfence_binary() + " check --json";
        std::string out;
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[4096];
            for (std::size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
            ::pclose(p);
        }
        auto j = nlohmann::json::parse(out);
        bool found = false;
        for (const auto& f : j["findings"])
            if (f["name"].get<std::string>().rfind("KVM", 0) == 0) {
                found = true;
                CHECK(f["ok"] == false);
                CHECK(f["required"] == false);
                CHECK_FALSE(f["fix"].get<std::string>().empty());
            }
        CHECK(found);
    }

    // As root on a host whose v1 hierarchy has memory (and v2 does not offer it), cgroup v1 must work.
    if (::geteuid() == 0 && ::access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0) {
        const auto& limits = finding(report, "cgroup limits");
        CHECK_MESSAGE(limits.ok, limits.detail);
        CHECK(limits.detail.rfind("cgroup-v1: ", 0) == 0);
        CHECK(finding(report, "cgroup v1").ok);
        CHECK_FALSE(finding(report, "cgroup v2").ok);
    }
    const char* expect = std::getenv("RINGFENCE_EXPECT_CGROUPS");
    if (expect && std::string(expect) == "1") CHECK(finding(report, "cgroup limits").ok);

    CHECK(report.ready() == (to_text(report).find("NOT ready") == std::string::npos));
}
