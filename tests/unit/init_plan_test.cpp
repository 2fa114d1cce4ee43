// The init's plan crosses an execve as bytes: it must come back exactly, and
// damaged bytes must be refused whole rather than half-applied.
#include <doctest/doctest.h>

#include "init_plan.hpp"

using namespace ringfence;

namespace {

MountPlan sample_mounts() {
    MountPlan plan;
    plan.staging = "/run/ringfence/newroot";
    plan.ops.push_back({MountOp::Kind::tmpfs, "/run/ringfence/newroot", "size=1m,mode=0755", 6, 0, false, 0755});
    plan.ops.push_back({MountOp::Kind::bind, "/run/ringfence/newroot/usr", "/usr", 0, 0, true, 0755});
    plan.ops.push_back({MountOp::Kind::write_file, "/run/ringfence/newroot/etc/passwd",
                        std::string("root:x:0:0\n\0binary", 18), 0, 0, false, 0644});
    plan.ops.push_back({MountOp::Kind::set_attr, "/run/ringfence/newroot/usr", "", 0, 0x1 | 0x2, true, 0});
    plan.writable_dirs = {"/box", "/tmp", "/dev/shm"};
    return plan;
}

SeccompProgram sample_seccomp() {
    SeccompProgram program;
    program.instructions = {{0x20, 0, 0, 4}, {0x15, 1, 0, 0xc000003e}, {0x06, 0, 0, 0x7fc00000}};
    return program;
}

}  // namespace

TEST_CASE("an init plan survives encoding exactly") {
    const MountPlan mounts = sample_mounts();
    const SeccompProgram seccomp = sample_seccomp();
    auto decoded = decode_init_plan(encode_init_plan(mounts, seccomp));
    REQUIRE(decoded);
    CHECK(decoded->mounts.staging == mounts.staging);
    REQUIRE(decoded->mounts.ops.size() == mounts.ops.size());
    for (std::size_t i = 0; i < mounts.ops.size(); ++i) {
        const MountOp& a = mounts.ops[i];
        const MountOp& b = decoded->mounts.ops[i];
        CHECK(a.kind == b.kind);
        CHECK(a.path == b.path);
        CHECK(a.source == b.source);  // NUL bytes inside file contents included
        CHECK(a.flags == b.flags);
        CHECK(a.attr_set == b.attr_set);
        CHECK(a.recursive == b.recursive);
        CHECK(a.mode == b.mode);
    }
    CHECK(decoded->mounts.writable_dirs == mounts.writable_dirs);
    REQUIRE(decoded->seccomp.instructions.size() == seccomp.instructions.size());
    for (std::size_t i = 0; i < seccomp.instructions.size(); ++i) {
        CHECK(decoded->seccomp.instructions[i].code == seccomp.instructions[i].code);
        CHECK(decoded->seccomp.instructions[i].k == seccomp.instructions[i].k);
    }
}

TEST_CASE("a damaged init plan is refused whole") {
    const std::string good = encode_init_plan(sample_mounts(), sample_seccomp());
    SUBCASE("every truncation") {
        for (std::size_t n = 0; n < good.size(); ++n) CHECK_FALSE(decode_init_plan(good.substr(0, n)));
    }
    SUBCASE("trailing bytes") { CHECK_FALSE(decode_init_plan(good + "x")); }
    SUBCASE("wrong magic") {
        std::string bad = good;
        bad[0] = 'R';
        CHECK_FALSE(decode_init_plan(bad));
    }
    SUBCASE("an unknown mount operation") {
        // The first op's kind follows the magic, the staging string (length + bytes) and the op count.
        const std::size_t kind_at = std::string("ringfence-init-plan-1\n").size() + 8 +
                                    sample_mounts().staging.size() + 8;
        std::string bad = good;
        bad[kind_at] = 42;
        CHECK_FALSE(decode_init_plan(bad));
    }
    SUBCASE("a huge count does not allocate") {
        std::string bad = good;
        const std::size_t count_at = std::string("ringfence-init-plan-1\n").size() + 8 + sample_mounts().staging.size();
        for (int i = 0; i < 8; ++i) bad[count_at + i] = '\xff';
        CHECK_FALSE(decode_init_plan(bad));
    }
    SUBCASE("no seccomp program") {
        CHECK_FALSE(decode_init_plan(encode_init_plan(sample_mounts(), SeccompProgram{})));
    }
}

TEST_CASE("init flags round-trip") {
    for (unsigned bits = 0; bits < 16; ++bits) CHECK(encode_init_flags(decode_init_flags(bits)) == bits);
    InitFlags f;
    f.use_landlock = true;
    f.unshare_cgroup_ns = true;
    const InitFlags back = decode_init_flags(encode_init_flags(f));
    CHECK_FALSE(back.root_mode);
    CHECK(back.use_landlock);
    CHECK_FALSE(back.allow_network);
    CHECK(back.unshare_cgroup_ns);
}
