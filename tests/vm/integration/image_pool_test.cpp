// Image integrity before every boot, and the warm pool's one-job-per-VM rule.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "host/manifest.hpp"
#include "host/tier.hpp"
#include "image/builder.hpp"
#include "vm_fixture.hpp"

namespace fs = std::filesystem;
using namespace ringfence;
using namespace ringfence::vm;
using namespace ringfence::vm::testing;

TEST_CASE("a tampered image is refused before anything boots") {
    if (!vm_host_usable()) return;
    // A copy of a (small) test image, one byte of its initramfs flipped.
    const fs::path original = hostile_image("garbage");
    const fs::path copy = original.parent_path() / "tampered";
    fs::remove_all(copy);
    fs::copy(original, copy);
    REQUIRE(open_verified_image(copy).ok());
    {
        std::fstream f(copy / image::kInitramfsFile, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(1000);
        f.put('\x5a');
    }
    auto env = environment(copy);
    const int before = qemu_processes_in_uid_range(env.config.uid_base, env.config.uid_count);
    auto vm = Vm::boot(env, VmShape{256, 1});
    REQUIRE_FALSE(vm.ok());
    CHECK(vm.error().kind == ErrorKind::setup);
    CHECK(vm.error().message.find("initramfs.cpio does not match its SHA-256") != std::string::npos);
    CHECK(qemu_processes_in_uid_range(env.config.uid_base, env.config.uid_count) == before);

    // A swapped root image of another size is refused on its size alone.
    fs::resize_file(copy / image::kRootfsFile, fs::file_size(copy / image::kRootfsFile) + 4096);
    auto again = open_verified_image(copy);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message.find("initramfs.cpio") != std::string::npos);  // first bad file named
    fs::remove_all(copy);
}

TEST_CASE("pooled VMs serve one job each and the pool refills") {
    if (!vm_host_usable() || real_image().empty()) return;
    auto tier = tier_for(real_image(), 1);
    REQUIRE(tier->pool() != nullptr);
    REQUIRE(tier->pool()->wait_idle(1, std::chrono::minutes(3)));
    static const ProfileStore profiles;
    RunSpec spec;
    spec.argv = {"/bin/cat", "/proc/sys/kernel/random/boot_id"};
    spec.profile = profiles.security("default").value();
    spec.stdout_target = OutputTarget::capture();
    const VmRunResult first = tier->run(spec);
    REQUIRE(first.result.status == RunStatus::ok);
    CHECK(first.vm.from_pool);
    REQUIRE(tier->pool()->wait_idle(1, std::chrono::minutes(3)));
    const VmRunResult second = tier->run(spec);
    REQUIRE(second.result.status == RunStatus::ok);
    CHECK(second.vm.from_pool);
    // Different VMs: different guest boots.
    CHECK(first.result.stdout_data != second.result.stdout_data);
    CHECK(first.vm.guest.boot_id != second.vm.guest.boot_id);
    const auto stats = tier->pool_stats().value();
    CHECK(stats.handed_out == 2);
    CHECK(stats.booted >= 2);
    MESSAGE("pooled job: " << first.vm.total_us / 1000 << " ms and " << second.vm.total_us / 1000
                           << " ms end to end; pool boot " << stats.last_boot_us / 1000 << " ms");
}
