// Pure pieces of the VM tier: QEMU command line, accelerator choice, config,
// manifest, module order, package closure, cpio, kernel payload detection.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "vm/guest/modules.hpp"
#include "vm/host/config.hpp"
#include "vm/host/manifest.hpp"
#include "vm/host/qemu_args.hpp"
#include "vm/image/cpio.hpp"
#include "vm/image/kernel.hpp"
#include "vm/image/packages.hpp"

using namespace ringfence;
using namespace ringfence::vm;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
std::string after(const std::vector<std::string>& v, const std::string& flag) {
    auto it = std::find(v.begin(), v.end(), flag);
    return it != v.end() && it + 1 != v.end() ? *(it + 1) : "";
}
}  // namespace

TEST_CASE("the QEMU command line has no legacy devices, no network and a locked-down sandbox") {
    QemuPlan plan;
    plan.accel = Accel::tcg;
    plan.tsc_khz = 2'000'000;
    plan.tcg_tb_size_mib = 24;
    const auto argv = qemu_argv("/usr/bin/qemu-system-x86_64", plan);
    CHECK(has(argv, "-nodefaults"));
    CHECK(has(argv, "-no-user-config"));
    CHECK(after(argv, "-sandbox") == "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
    CHECK(after(argv, "-M").rfind("microvm,acpi=on", 0) == 0);
    CHECK(after(argv, "-M").find("isa-serial=off") != std::string::npos);
    CHECK(after(argv, "-M").find("pit=off") != std::string::npos);
    CHECK(after(argv, "-append").find("tsc_early_khz=2000000") != std::string::npos);
    CHECK(after(argv, "-accel") == "tcg,tb-size=24");
    CHECK_FALSE(has(argv, "-runas"));
    for (const auto& a : argv) {
        CHECK(a.find("netdev") == std::string::npos);
        CHECK(a.find("-pci") == std::string::npos);
        CHECK(a.find("usb-") == std::string::npos);
    }
    plan.accel = Accel::kvm;
    const auto kvm = qemu_argv("qemu", plan);
    CHECK(after(kvm, "-accel") == "kvm");
    CHECK(after(kvm, "-cpu") == "host");
    CHECK(after(kvm, "-M").find("rtc=off") != std::string::npos);
}

TEST_CASE("without KVM the tier refuses unless TCG is allowed explicitly") {
    KvmStatus none{false, "/dev/kvm: No such file or directory", "load kvm"};
    auto refused = choose_accel(none, false);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::setup);
    CHECK(refused.error().message.find("allow-tcg") != std::string::npos);
    CHECK(choose_accel(none, true).value() == Accel::tcg);
    CHECK(choose_accel(KvmStatus{true, "", ""}, false).value() == Accel::kvm);
    CHECK(detect_kvm("/nonexistent/kvm").usable == false);
}

TEST_CASE("a /dev/kvm served by kvm_pvm alone is not taken for hardware virtualization") {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("ringfence-modules-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "kvm");
    CHECK_FALSE(kvm_is_pvm_only(dir.string()));  // no vendor module: /dev/kvm has no backend anyway
    std::filesystem::create_directories(dir / "kvm_pvm");
    CHECK(kvm_is_pvm_only(dir.string()));
    for (const char* vendor : {"kvm_amd", "kvm_intel"}) {
        std::filesystem::create_directories(dir / vendor);
        CHECK_FALSE(kvm_is_pvm_only(dir.string()));
        std::filesystem::remove(dir / vendor);
    }
    std::filesystem::remove_all(dir);

    // This host's own device, whatever it is: a PVM-only one is never usable.
    const KvmStatus here = detect_kvm();
    if (kvm_is_pvm_only("/sys/module")) {
        CHECK_FALSE(here.usable);
        CHECK(here.detail.find("kvm_pvm") != std::string::npos);
    }
}

TEST_CASE("vm config keys are parsed strictly") {
    auto c = parse_vm_config(nlohmann::json{{"allow_tcg", true}, {"pool_size", 3}, {"guest_memory_mib", 768}});
    REQUIRE(c.ok());
    CHECK(c->allow_tcg);
    CHECK(c->pool_size == 3);
    CHECK(c->guest_memory_mib == 768);
    auto bad = parse_vm_config(nlohmann::json{{"pool_sise", 3}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message == "vm.pool_sise: unknown field");
    CHECK_FALSE(parse_vm_config(nlohmann::json{{"allow_tcg", "yes"}}).ok());
    CHECK_FALSE(parse_vm_config(nlohmann::json{{"uid_base", 0}}).ok());
}

TEST_CASE("manifests round-trip and verification catches a changed file") {
    const auto dir = std::filesystem::temp_directory_path() / ("rf-manifest-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const char* name : {"k", "i", "r"}) std::ofstream(dir / name) << "content of " << name;
    ImageManifest m;
    m.kernel_release = "6.1.0-56-cloud-amd64";
    m.rootfs_type = "squashfs";
    m.kernel = describe_image_file(dir, "k").value();
    m.initramfs = describe_image_file(dir, "i").value();
    m.rootfs = describe_image_file(dir, "r").value();
    std::ofstream(dir / kManifestName) << to_json(m);
    auto ok = open_verified_image(dir);
    REQUIRE(ok.ok());
    CHECK(ok->manifest.kernel.sha256 == m.kernel.sha256);
    std::ofstream(dir / "r") << "content of R";  // same size, other bytes
    auto bad = open_verified_image(dir);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("r does not match its SHA-256") != std::string::npos);
    auto parsed = parse_manifest("{\"format\":1}");
    CHECK_FALSE(parsed.ok());
    std::filesystem::remove_all(dir);
}

TEST_CASE("modules load in dependency order, each once") {
    const std::string dep =
        "kernel/drivers/virtio/virtio_mmio.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
        "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
        "kernel/drivers/virtio/virtio_ring.ko:\n"
        "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
        "kernel/fs/squashfs/squashfs.ko:\n";
    auto order = guest::module_load_order(dep, {"virtio_mmio", "virtio_blk", "squashfs"});
    REQUIRE(order.ok());
    CHECK(*order == std::vector<std::string>{"kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
                                             "kernel/drivers/virtio/virtio_mmio.ko",
                                             "kernel/drivers/block/virtio_blk.ko", "kernel/fs/squashfs/squashfs.ko"});
    CHECK_FALSE(guest::module_load_order(dep, {"vsock"}).ok());
    CHECK(guest::module_name("kernel/drivers/char/hw_random/virtio-rng.ko") == "virtio_rng");
}

TEST_CASE("package closure follows Depends and Pre-Depends, alternatives and Provides") {
    const std::string q =
        "ii \tgcc\tamd64\tcpp (= 4:12.2.0-3), gcc-12 (>= 12.2.0-1~)\t\t\n"
        "ii \tcpp\tamd64\tcpp-12\t\t\n"
        "ii \tcpp-12\tamd64\t\t\t\n"
        "ii \tgcc-12\tamd64\tbinutils (>= 2.40) | binutils-alt, awk-virtual\tlibc6 (>= 2.34)\t\n"
        "ii \tbinutils\tamd64\t\t\t\n"
        "ii \tmawk\tamd64\t\t\tawk-virtual\n"
        "ii \tlibc6\tamd64\t\t\t\n"
        "rc \tremoved\tamd64\t\t\t\n"
        "ii \tlibc6\ti386\tsomething-i386\t\t\n";
    auto db = image::PackageDb::parse(q, "amd64");
    auto c = db.closure({"gcc"});
    REQUIRE(c.ok());
    CHECK(*c == std::vector<std::string>{"binutils", "cpp", "cpp-12", "gcc", "gcc-12", "libc6", "mawk"});
    CHECK_FALSE(db.closure({"removed"}).ok());
    CHECK_FALSE(db.installed("something-i386"));
}

TEST_CASE("cpio newc entries are aligned and the archive ends with the trailer") {
    image::CpioWriter w;
    w.add_directory("dev");
    w.add_file("init", "abc", 0755);
    const std::string a = w.finish();
    CHECK(a.rfind("070701", 0) == 0);
    CHECK(a.size() % 4 == 0);
    CHECK(a.find("TRAILER!!!") != std::string::npos);
    CHECK(a.find("init") != std::string::npos);
    CHECK(image::payload_compression(std::string("\x02\x21\x4c\x18", 4)) == "lz4");
    CHECK(image::payload_compression(std::string("\x28\xb5\x2f\xfd", 4)) == "zstd");
    CHECK(image::payload_compression("nope").empty());
}
