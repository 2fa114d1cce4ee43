// `ringfence check` report: readiness, text and JSON forms, and the cgroup
// findings on fake hosts.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cgroup_detect.hpp"
#include "cgroup_fake_tree.hpp"
#include "ringfence/host_check.hpp"

using namespace ringfence;

namespace {

HostReport sample(bool required_fails) {
    HostReport r;
    r.findings.push_back({"seccomp", true, true, "actions available: kill_process user_notif", "x"});
    r.findings.push_back({"/dev/kvm", false, false, "cannot open /dev/kvm", "modprobe kvm_intel"});
    r.findings.push_back({"user namespaces", !required_fails, true, "unshare: EPERM",
                          "sysctl -w user.max_user_namespaces=15000"});
    return r;
}

const HostFinding* find(const std::vector<HostFinding>& findings, const std::string& name) {
    for (const auto& f : findings)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("a host is ready when every required finding is ok; optional ones only warn") {
    CHECK(sample(false).ready());
    CHECK_FALSE(sample(true).ready());
    CHECK(HostReport{}.ready());
}

TEST_CASE("text report marks each finding and prints the fix only where something is missing") {
    auto text = to_text(sample(true));
    CHECK(text.find("[ ok ] seccomp: actions available") != std::string::npos);
    CHECK(text.find("[warn] /dev/kvm: cannot open /dev/kvm\n       fix: modprobe kvm_intel\n") !=
          std::string::npos);
    CHECK(text.find("[FAIL] user namespaces: unshare: EPERM\n       fix: sysctl -w "
                    "user.max_user_namespaces=15000\n") != std::string::npos);
    CHECK(text.find("fix: x") == std::string::npos);  // ok findings show no fix
    CHECK(text.find("NOT ready: 1 required check failed") != std::string::npos);
    CHECK(to_text(sample(false)).find("\nready:") != std::string::npos);
}

TEST_CASE("JSON report carries readiness and every finding's fields") {
    auto j = nlohmann::json::parse(to_json(sample(true)));
    CHECK(j["ready"] == false);
    REQUIRE(j["findings"].size() == 3);
    auto kvm = j["findings"][1];
    CHECK(kvm["name"] == "/dev/kvm");
    CHECK(kvm["ok"] == false);
    CHECK(kvm["required"] == false);
    CHECK(kvm["detail"] == "cannot open /dev/kvm");
    CHECK(kvm["fix"] == "modprobe kvm_intel");
    CHECK(j["findings"][0]["fix"] == "");

    HostReport odd;
    odd.findings.push_back({"weird", false, true, std::string("bad byte \xff here"), "quote \" ok"});
    auto k = nlohmann::json::parse(to_json(odd));  // must not throw on invalid UTF-8
    CHECK(k["findings"][0]["fix"] == "quote \" ok");
}

TEST_CASE("cgroup findings on a host without cgroups name the missing pieces") {
    ringfence::testing::FakeTree tree;
    tree.write("proc/self/mountinfo", "28 1 254:1 / / rw - ext4 /dev/vda1 rw\n");
    auto findings = cgroup::check_cgroups(CgroupOptions{"", tree.prefix()}, {true, "", "root"});
    auto v2 = find(findings, "cgroup v2");
    auto v1 = find(findings, "cgroup v1");
    auto limits = find(findings, "cgroup limits");
    REQUIRE(v2);
    REQUIRE(v1);
    REQUIRE(limits);
    CHECK_FALSE(v2->ok);
    CHECK(v2->detail == "no cgroup2 filesystem mounted");
    CHECK_FALSE(v1->ok);
    CHECK(v1->detail.find("missing: memory, pids, cpuacct") != std::string::npos);
    CHECK_FALSE(limits->ok);
    CHECK(limits->required);
    CHECK(limits->detail.find("no usable cgroups") != std::string::npos);
    CHECK(limits->detail.find("Fix:") == std::string::npos);  // moved to its own field
    CHECK(limits->fix.rfind("boot with systemd.unified_cgroup_hierarchy=1", 0) == 0);
}

TEST_CASE("cgroup findings for an unprivileged user give the delegation fix") {
    ringfence::testing::FakeTree tree;
    tree.write("proc/self/mountinfo",
               "26 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
    tree.write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
    auto findings = cgroup::check_cgroups(CgroupOptions{"", tree.prefix()}, {false, "", "alice"});
    auto v2 = find(findings, "cgroup v2");
    auto limits = find(findings, "cgroup limits");
    REQUIRE(v2);
    REQUIRE(limits);
    CHECK(v2->ok);
    CHECK(v2->detail == "mounted at /sys/fs/cgroup, controllers offered: cpuset cpu io memory pids");
    CHECK_FALSE(limits->ok);
    CHECK(limits->fix.find("Delegate=yes") != std::string::npos);
    CHECK(limits->fix.find("chown -R alice /sys/fs/cgroup/ringfence") != std::string::npos);
}
