// detect_cgroups() against fake mountinfo texts and fake cgroupfs trees.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "cgroup_detect.hpp"
#include "cgroup_fake_tree.hpp"

using namespace ringfence;
using ringfence::testing::FakeTree;

namespace {

const char* const kPureV2 =
    "22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n"
    "28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n";

// This host: every controller on v1, an empty v2 hierarchy beside them.
const char* const kHybridLikeHost =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// Older systemd hybrid: cpu and cpuacct share one hierarchy.
const char* const kV1CoMounted =
    "25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n"
    "27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid shared:6 - cgroup cgroup rw,xattr,name=systemd\n"
    "31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:10 - cgroup cgroup rw,cpu,cpuacct\n"
    "32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid shared:11 - cgroup cgroup rw,memory\n"
    "33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid shared:12 - cgroup cgroup rw,pids\n";

const char* const kNoCgroups =
    "28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "29 28 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n";

cgroup::DetectHost as_root() { return {true, "", "root"}; }
cgroup::DetectHost as_user() { return {false, "", "alice"}; }

// The kernel's part for a v1 subtree that exists.
void make_v1_subtree(const FakeTree& tree, const std::string& cpuacct_mount) {
    tree.write_all("sys/fs/cgroup/memory/ringfence", testing::fresh_v1_memory_files());
    tree.write_all("sys/fs/cgroup/pids/ringfence", testing::fresh_v1_pids_files());
    tree.write_all("sys/fs/cgroup/" + cpuacct_mount + "/ringfence",
                   testing::fresh_v1_cpuacct_files());
}

void make_v2_root(const FakeTree& tree, const std::string& offered, const std::string& enabled) {
    tree.write("sys/fs/cgroup/cgroup.controllers", offered + "\n");
    tree.write("sys/fs/cgroup/cgroup.subtree_control", enabled.empty() ? "" : enabled + "\n");
    tree.write("sys/fs/cgroup/cgroup.procs", "1\n");
}

void make_v2_subtree(const FakeTree& tree, const std::string& dir) {
    tree.write(dir + "/cgroup.controllers", "cpu memory pids\n");
    tree.write(dir + "/cgroup.subtree_control", "");
    tree.write(dir + "/cgroup.procs", "");
}

std::set<std::string> all_paths(const FakeTree& tree) {
    std::set<std::string> paths;
    for (const auto& e : std::filesystem::recursive_directory_iterator(tree.prefix()))
        paths.insert(e.path().string().substr(tree.prefix().size()));
    return paths;
}

Result<std::unique_ptr<CgroupBackend>> detect(const FakeTree& tree, const cgroup::DetectHost& host,
                                              std::string root = "") {
    return cgroup::detect_cgroups(CgroupOptions{std::move(root), tree.prefix()}, host);
}

}  // namespace

TEST_CASE("mountinfo: v2 mount, v1 controllers, co-mounts and escapes") {
    auto hybrid = cgroup::parse_mountinfo(kHybridLikeHost, "/fake");
    CHECK(hybrid.v2 == "/fake/sys/fs/cgroup/unified");
    CHECK(hybrid.v1.at("memory") == "/fake/sys/fs/cgroup/memory");
    CHECK(hybrid.v1.at("cpuacct") == "/fake/sys/fs/cgroup/cpuacct");
    CHECK(hybrid.v1.at("pids") == "/fake/sys/fs/cgroup/pids");
    CHECK(hybrid.v1.count("name=systemd") == 0);

    auto co = cgroup::parse_mountinfo(kV1CoMounted, "");
    CHECK(co.v2.empty());
    CHECK(co.v1.at("cpu") == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK(co.v1.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK(co.v1.count("xattr") == 0);

    auto pure = cgroup::parse_mountinfo(kPureV2, "");
    CHECK(pure.v2 == "/sys/fs/cgroup");
    CHECK(pure.v1.empty());

    auto escaped = cgroup::parse_mountinfo(
        "40 30 0:37 / /mnt/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw\n", "");
    CHECK(escaped.v2 == "/mnt/my cgroups");
    CHECK(cgroup::parse_mountinfo(kNoCgroups, "").v1.empty());
}

TEST_CASE("pure v2 as root: ringfence subtree with controllers enabled on the way") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kPureV2);
    make_v2_root(tree, "cpuset cpu io memory hugetlb pids rdma misc", "");
    make_v2_subtree(tree, "sys/fs/cgroup/ringfence");
    auto backend = detect(tree, as_root());
    REQUIRE_MESSAGE(backend.ok(), backend.error().describe());
    CHECK(std::string((*backend)->measured_by()) == "cgroup-v2");
    CHECK(tree.read("sys/fs/cgroup/cgroup.subtree_control") == "+memory +pids +cpu");
    CHECK(tree.read("sys/fs/cgroup/ringfence/cgroup.subtree_control") == "+memory +pids +cpu");
    auto group = (*backend)->create("box-1");
    REQUIRE(group.ok());
    CHECK((*group)->directories()[0] == tree.path("sys/fs/cgroup/ringfence/box-1"));
}

TEST_CASE("hybrid host with an empty v2 hierarchy (like this one) uses v1") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kHybridLikeHost);
    tree.write("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
    make_v1_subtree(tree, "cpuacct");
    auto backend = detect(tree, as_root());
    REQUIRE_MESSAGE(backend.ok(), backend.error().describe());
    CHECK(std::string((*backend)->measured_by()) == "cgroup-v1");
    auto group = (*backend)->create("box-2");
    REQUIRE(group.ok());
    auto dirs = (*group)->directories();
    CHECK(dirs[0] == tree.path("sys/fs/cgroup/memory/ringfence/box-2"));
    CHECK(dirs[1] == tree.path("sys/fs/cgroup/pids/ringfence/box-2"));
    CHECK(dirs[2] == tree.path("sys/fs/cgroup/cpuacct/ringfence/box-2"));
}

TEST_CASE("v1 with cpu,cpuacct co-mounted puts the cpuacct group in the shared hierarchy") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kV1CoMounted);
    make_v1_subtree(tree, "cpu,cpuacct");
    auto backend = detect(tree, as_root());
    REQUIRE_MESSAGE(backend.ok(), backend.error().describe());
    auto group = (*backend)->create("box-3");
    REQUIRE(group.ok());
    CHECK((*group)->directories()[2] == tree.path("sys/fs/cgroup/cpu,cpuacct/ringfence/box-3"));
}

TEST_CASE("detection creates nothing outside the ringfence subtrees") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kHybridLikeHost);
    tree.write("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
    for (const char* c : {"memory", "pids", "cpuacct", "cpu", "systemd"})
        tree.write(std::string("sys/fs/cgroup/") + c + "/cgroup.procs", "1\n");
    auto before = all_paths(tree);
    auto backend = detect(tree, as_root());
    // Plain directories are not cgroups, so the backend itself must refuse them.
    REQUIRE_FALSE(backend.ok());
    CHECK(backend.error().message.find("not a cgroup v1 memory group") != std::string::npos);
    auto after = all_paths(tree);
    std::set<std::string> created;
    for (const auto& p : after)
        if (!before.count(p)) created.insert(p);
    CHECK(created == std::set<std::string>{"/sys/fs/cgroup/memory/ringfence",
                                           "/sys/fs/cgroup/pids/ringfence",
                                           "/sys/fs/cgroup/cpuacct/ringfence"});
}

TEST_CASE("no cgroups at all: a setup error naming what is missing and the fix") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kNoCgroups);
    auto backend = detect(tree, as_root());
    REQUIRE_FALSE(backend.ok());
    const auto& e = backend.error();
    CHECK(e.kind == ErrorKind::setup);
    CHECK(e.message.find("no cgroup2 filesystem is mounted") != std::string::npos);
    CHECK(e.message.find("memory, pids, cpuacct") != std::string::npos);
    CHECK(e.message.find("Fix: boot with systemd.unified_cgroup_hierarchy=1") != std::string::npos);
}

TEST_CASE("an empty v2 hierarchy and v1 without pids: both reasons in the error") {
    FakeTree tree;
    std::string text = kHybridLikeHost;
    text.erase(text.find("38 30"), text.find("39 30") - text.find("38 30"));
    tree.write("proc/self/mountinfo", text);
    tree.write("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
    auto backend = detect(tree, as_root());
    REQUIRE_FALSE(backend.ok());
    CHECK(backend.error().message.find("offers only 'hugetlb'") != std::string::npos);
    CHECK(backend.error().message.find("lacks the pids controller") != std::string::npos);
    CHECK(backend.error().message.find("mount -t cgroup -o pids") != std::string::npos);
}

TEST_CASE("rootless without a delegated subtree: the error gives the delegation fix") {
    FakeTree v2;
    v2.write("proc/self/mountinfo", kPureV2);
    make_v2_root(v2, "cpu memory pids", "cpu memory pids");
    auto e2 = detect(v2, as_user());
    REQUIRE_FALSE(e2.ok());
    CHECK(e2.error().message.find("no cgroup subtree is writable by alice") != std::string::npos);
    CHECK(e2.error().message.find("Delegate=yes") != std::string::npos);
    CHECK(e2.error().message.find("RINGFENCE_CGROUP_ROOT") != std::string::npos);
    CHECK(e2.error().message.find("chown -R alice /sys/fs/cgroup/ringfence") != std::string::npos);
    CHECK_FALSE(v2.exists("sys/fs/cgroup/ringfence"));  // never created without root

    FakeTree v1;
    v1.write("proc/self/mountinfo", kHybridLikeHost);
    auto e1 = detect(v1, as_user());
    REQUIRE_FALSE(e1.ok());
    CHECK(e1.error().message.find("for c in memory pids cpuacct") != std::string::npos);
    CHECK(e1.error().message.find("chown -R alice") != std::string::npos);
}

TEST_CASE("rootless with a writable ringfence subtree uses it") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kPureV2);
    make_v2_root(tree, "cpu memory pids", "cpu memory pids");
    make_v2_subtree(tree, "sys/fs/cgroup/ringfence");
    auto backend = detect(tree, as_user());
    REQUIRE_MESSAGE(backend.ok(), backend.error().describe());
    CHECK(std::string((*backend)->measured_by()) == "cgroup-v2");
}

TEST_CASE("a configured root is used exactly; the environment is the fallback") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kPureV2);
    make_v2_root(tree, "cpu memory pids", "cpu memory pids");
    std::string delegated = "sys/fs/cgroup/user.slice/user@1000.service/ringfence";
    make_v2_subtree(tree, delegated);
    auto configured = detect(tree, as_user(), "/" + delegated);
    REQUIRE_MESSAGE(configured.ok(), configured.error().describe());
    auto group = (*configured)->create("g");
    REQUIRE(group.ok());
    CHECK((*group)->directories()[0] == tree.path(delegated + "/g"));

    cgroup::DetectHost env_host = as_user();
    env_host.env_root = "/" + delegated;
    auto from_env = detect(tree, env_host);
    REQUIRE_MESSAGE(from_env.ok(), from_env.error().describe());

    auto outside = detect(tree, as_user(), "/tmp/elsewhere");
    REQUIRE_FALSE(outside.ok());
    CHECK(outside.error().kind == ErrorKind::input);
    CHECK(outside.error().message.find("not inside the cgroup v2 mount /sys/fs/cgroup") !=
          std::string::npos);

    auto missing = detect(tree, as_user(), "/sys/fs/cgroup/nope");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("does not exist") != std::string::npos);

    auto bad = detect(tree, as_root(), "a/../b");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::input);
}

TEST_CASE("a relative root on v1 names a subtree in every controller") {
    FakeTree tree;
    tree.write("proc/self/mountinfo", kHybridLikeHost);
    tree.write("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
    tree.write_all("sys/fs/cgroup/memory/judge/ringfence", testing::fresh_v1_memory_files());
    tree.write_all("sys/fs/cgroup/pids/judge/ringfence", testing::fresh_v1_pids_files());
    tree.write_all("sys/fs/cgroup/cpuacct/judge/ringfence", testing::fresh_v1_cpuacct_files());
    auto backend = detect(tree, as_root(), "judge/ringfence");
    REQUIRE_MESSAGE(backend.ok(), backend.error().describe());
    auto group = (*backend)->create("g");
    REQUIRE(group.ok());
    CHECK((*group)->directories()[1] == tree.path("sys/fs/cgroup/pids/judge/ringfence/g"));

    auto absolute_on_v1 = detect(tree, as_root(), "/ringfence");
    REQUIRE_FALSE(absolute_on_v1.ok());
    CHECK(absolute_on_v1.error().message.find("not inside the cgroup v2 mount") != std::string::npos);
}

TEST_CASE("unreadable mountinfo is a setup error naming the file") {
    FakeTree tree;
    auto backend = detect(tree, as_root());
    REQUIRE_FALSE(backend.ok());
    CHECK(backend.error().kind == ErrorKind::setup);
    CHECK(backend.error().message.find("/proc/self/mountinfo") != std::string::npos);
}
