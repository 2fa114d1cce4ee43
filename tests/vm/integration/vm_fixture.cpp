#include "vm_fixture.hpp"

#include <signal.h>
#include <unistd.h>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <cstdlib>
#include <map>
#include <mutex>

#include "host/manifest.hpp"
#include "image/builder.hpp"
#include "image/initramfs.hpp"
#include "image/kernel.hpp"
#include "image/rootfs.hpp"

namespace fs = std::filesystem;

namespace ringfence::vm::testing {
namespace {

std::mutex g_mutex;

fs::path work_dir() { return fs::path(RINGFENCE_VM_TEST_DIR); }

// The unpacked kernel, made once and hard-linked into each test image.
Result<fs::path> shared_kernel(image::HostKernel& kernel_out) {
    static std::optional<std::pair<fs::path, image::HostKernel>> cached;
    if (!cached) {
        auto kernel = image::find_host_kernel();
        if (!kernel) return std::move(kernel).error();
        fs::create_directories(work_dir());
        const fs::path path = work_dir() / "kernel.shared";
        if (auto kind = image::prepare_guest_kernel(kernel.value(), path); !kind) return std::move(kind).error();
        cached.emplace(path, kernel.value());
    }
    kernel_out = cached->second;
    return cached->first;
}

Result<void> make_hostile_image(const fs::path& dir, const std::string& mode) {
    image::HostKernel kernel;
    auto shared = shared_kernel(kernel);
    if (!shared) return std::move(shared).error();
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::create_hard_link(shared.value(), dir / image::kKernelFile);
    if (auto r = image::build_initramfs(RINGFENCE_HOSTILE_AGENT, kernel, image::guest_modules("squashfs"),
                                        dir / image::kInitramfsFile, {{"ringfence-test-mode", mode + "\n"}});
        !r)
        return r;
    const fs::path staging = dir / "staging";
    fs::create_directories(staging);
    if (auto r = image::finish_root(staging); !r) return r;
    if (auto r = image::make_squashfs(staging, dir / image::kRootfsFile); !r) return r;
    fs::remove_all(staging);
    ImageManifest m;
    m.kernel_release = kernel.release;
    m.rootfs_type = "squashfs";
    m.agent_version = "hostile-test";
    for (auto [name, slot] : {std::pair{image::kKernelFile, &m.kernel}, std::pair{image::kInitramfsFile, &m.initramfs},
                              std::pair{image::kRootfsFile, &m.rootfs}}) {
        auto f = describe_image_file(dir, name);
        if (!f) return std::move(f).error();
        *slot = f.value();
    }
    std::FILE* out = std::fopen((dir / kManifestName).c_str(), "w");
    if (!out) return setup_error("cannot write the test manifest");
    const std::string text = to_json(m);
    std::fwrite(text.data(), 1, text.size(), out);
    std::fclose(out);
    return {};
}

}  // namespace

bool vm_host_usable() {
    static const std::string why = [] {
        if (::geteuid() != 0) return std::string("not root");
        if (!fs::exists("/usr/bin/qemu-system-x86_64")) return std::string("qemu-system-x86 is not installed");
        if (auto k = image::find_host_kernel(); !k) return k.error().message;
        return std::string();
    }();
    static std::once_flag printed;
    if (!why.empty()) std::call_once(printed, [] { std::fprintf(stderr, "VM tests skipped: %s\n", why.c_str()); });
    return why.empty();
}

VmEnvironment environment(const fs::path& image_dir) {
    std::lock_guard lock(g_mutex);
    static std::unique_ptr<CgroupBackend> cgroups = [] {
        auto b = detect_cgroups(CgroupOptions{});
        if (!b) {
            std::fprintf(stderr, "no usable cgroups: %s\n", b.error().describe().c_str());
            std::abort();
        }
        return std::move(b.value());
    }();
    static const std::uint64_t tsc_khz = measure_tsc_khz();
    VmEnvironment env;
    env.config.image_dir = image_dir;
    env.config.allow_tcg = true;
    env.config.runtime_dir = work_dir() / "runtime";
    env.config.boot_timeout_ms = 60'000;
    auto accel = choose_accel(detect_kvm(), true);
    env.accel = accel.value();
    env.tsc_khz = tsc_khz;
    env.cgroups = cgroups.get();
    static std::unique_ptr<UidPool> uids = make_vm_uid_pool(env.config).value();
    env.uids = uids.get();
    env.kvm_group = kvm_device_group();
    return env;
}

fs::path hostile_image(const std::string& mode) {
    std::lock_guard lock(g_mutex);
    static std::map<std::string, fs::path> built;
    if (auto it = built.find(mode); it != built.end()) return it->second;
    const fs::path dir = work_dir() / ("hostile-" + mode);
    if (auto r = make_hostile_image(dir, mode); !r) {
        std::fprintf(stderr, "cannot build the hostile test image: %s\n", r.error().describe().c_str());
        std::abort();
    }
    built[mode] = dir;
    return dir;
}

fs::path real_image() {
    // Set (by ctest, after building the image): the tests must use it, and
    // fail loudly if it is broken. Unset: the real-image tests are skipped.
    const char* env = std::getenv("RINGFENCE_VM_TEST_IMAGE");
    static std::once_flag said;
    if (!env || !*env)
        std::call_once(said, [] { std::fprintf(stderr, "real-image VM tests skipped: RINGFENCE_VM_TEST_IMAGE unset\n"); });
    return env && *env ? fs::path(env) : fs::path();
}

std::unique_ptr<VmTier> tier_for(const fs::path& image_dir, unsigned pool_size) {
    VmConfig config;
    config.image_dir = image_dir;
    config.allow_tcg = true;
    config.runtime_dir = work_dir() / "runtime";
    config.pool_size = pool_size;
    auto tier = VmTier::create(config, [](const std::string&) {});
    if (!tier) {
        std::fprintf(stderr, "cannot create the VM tier: %s\n", tier.error().describe().c_str());
        std::abort();
    }
    return std::move(tier.value());
}

int qemu_processes_in_uid_range(std::uint32_t uid_base, std::uint32_t uid_count) {
    int found = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        struct stat st {};
        if (::stat(e.path().c_str(), &st) != 0) continue;
        if (st.st_uid < uid_base || st.st_uid >= uid_base + uid_count) continue;
        std::ifstream comm(e.path() / "comm");
        std::string c;
        std::getline(comm, c);
        if (c.rfind("qemu", 0) == 0) ++found;
    }
    return found;
}

int vm_cgroups_left() {
    const std::string prefix = "vm-" + std::to_string(::getpid()) + "-";
    int found = 0;
    for (const char* dir : {"/sys/fs/cgroup/memory/ringfence", "/sys/fs/cgroup/pids/ringfence",
                            "/sys/fs/cgroup/cpuacct/ringfence", "/sys/fs/cgroup/ringfence"}) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir, ec))
            if (e.path().filename().string().rfind(prefix, 0) == 0) ++found;
    }
    return found;
}

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH); }

}  // namespace ringfence::vm::testing
