// The mount plan against a fake host tree: what gets bound, recreated as a
// symlink, skipped or refused.
#include <doctest/doctest.h>
#include <linux/mount.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "mount_plan.hpp"

using namespace ringfence;
namespace fs = std::filesystem;

namespace {

struct FakeHost {
    fs::path root;
    FakeHost() {
        char templ[] = "/tmp/ringfence-mountplan-XXXXXX";
        root = mkdtemp(templ);
        fs::create_directories(root / "usr/lib");
        fs::create_directories(root / "etc");
        fs::create_directories(root / "proc/acpi");
        fs::create_directories(root / "dev");
        std::ofstream(root / "etc/ld.so.cache") << "cache";
        std::ofstream(root / "proc/kcore") << "";
        for (const char* d : {"null", "zero", "full", "random", "urandom"}) std::ofstream(root / "dev" / d) << "";
        fs::create_symlink("usr/lib", root / "lib");
    }
    ~FakeHost() { fs::remove_all(root); }
};

const MountOp* find(const MountPlan& p, MountOp::Kind kind, const std::string& path) {
    auto it = std::find_if(p.ops.begin(), p.ops.end(),
                           [&](const MountOp& op) { return op.kind == kind && op.path == path; });
    return it == p.ops.end() ? nullptr : &*it;
}

SecurityProfile profile_with(std::vector<MountEntry> mounts) {
    SecurityProfile p;
    p.name = "t";
    p.mounts = std::move(mounts);
    p.files["/etc/passwd"] = "box:x:1000:1000::/box:/bin/sh\n";
    return p;
}

}  // namespace

TEST_CASE("profile mounts become read-only binds; merged-/usr links are recreated") {
    FakeHost host;
    MountPlanOptions options{"/stage", 8192, host.root.string()};
    auto plan = plan_mounts(profile_with({{"/usr", "/usr", false},
                                          {"/lib", "/lib", false},
                                          {"/etc/ld.so.cache", "/etc/ld.so.cache", false},
                                          {"/opt/missing", "/opt/missing", true}}),
                            options);
    REQUIRE(plan.ok());
    const MountOp* usr = find(*plan, MountOp::Kind::bind, "/stage/usr");
    REQUIRE(usr);
    CHECK(usr->source == host.root.string() + "/usr");
    const MountOp* attr = find(*plan, MountOp::Kind::set_attr, "/stage/usr");
    REQUIRE(attr);
    CHECK((attr->attr_set & MOUNT_ATTR_RDONLY));
    CHECK((attr->attr_set & MOUNT_ATTR_NOSUID));
    CHECK((attr->attr_set & MOUNT_ATTR_NODEV));
    CHECK(attr->recursive);
    const MountOp* lib = find(*plan, MountOp::Kind::symlink, "/stage/lib");
    REQUIRE(lib);
    CHECK(lib->source == "usr/lib");
    CHECK(find(*plan, MountOp::Kind::make_file, "/stage/etc/ld.so.cache"));
    CHECK_FALSE(find(*plan, MountOp::Kind::bind, "/stage/opt/missing"));
    const MountOp* passwd = find(*plan, MountOp::Kind::write_file, "/stage/etc/passwd");
    REQUIRE(passwd);
    CHECK(passwd->source.find("box:x:1000") == 0);
}

TEST_CASE("the fixed parts: /proc masked and read-only, minimal /dev, private tmpfs") {
    FakeHost host;
    auto plan = plan_mounts(profile_with({}), {"/stage", 4096, host.root.string()});
    REQUIRE(plan.ok());
    const MountOp* proc = find(*plan, MountOp::Kind::proc, "/stage/proc");
    REQUIRE(proc);
    CHECK(proc->source.find("hidepid=2") != std::string::npos);
    CHECK(find(*plan, MountOp::Kind::bind, "/stage/proc/kcore"));
    CHECK(find(*plan, MountOp::Kind::tmpfs, "/stage/proc/acpi"));
    const MountOp* proc_ro = find(*plan, MountOp::Kind::set_attr, "/stage/proc");
    REQUIRE(proc_ro);
    CHECK((proc_ro->attr_set & MOUNT_ATTR_RDONLY));
    for (const char* d : {"null", "zero", "full", "random", "urandom"})
        CHECK(find(*plan, MountOp::Kind::bind, std::string("/stage/dev/") + d));
    // The device binds get nosuid and noexec in one recursive call, before /dev/shm
    // is mounted (it keeps exec), and never nodev.
    const MountOp* dev_attr = find(*plan, MountOp::Kind::set_attr, "/stage/dev");
    REQUIRE(dev_attr);
    CHECK(dev_attr->recursive);
    CHECK(dev_attr->attr_set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC));
    CHECK(dev_attr < find(*plan, MountOp::Kind::tmpfs, "/stage/dev/shm"));
    const MountOp* box = find(*plan, MountOp::Kind::tmpfs, "/stage/box");
    REQUIRE(box);
    CHECK(box->source.find("size=4096k") != std::string::npos);
    CHECK(box->source.find("uid=1000") != std::string::npos);
    CHECK(find(*plan, MountOp::Kind::tmpfs, "/stage/tmp"));
    CHECK(find(*plan, MountOp::Kind::tmpfs, "/stage/dev/shm"));
    CHECK(plan->writable_dirs == std::vector<std::string>{"/box", "/tmp", "/dev/shm"});
}

TEST_CASE("a missing required source is a setup error naming it") {
    FakeHost host;
    auto plan = plan_mounts(profile_with({{"/opt/toolchain", "/opt/toolchain", false}}),
                            {"/stage", 4096, host.root.string()});
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().kind == ErrorKind::setup);
    CHECK(plan.error().message.find("/opt/toolchain") != std::string::npos);
}
