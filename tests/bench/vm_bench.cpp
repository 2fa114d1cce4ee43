// Micro-VM tier figures (printed, never asserted): cold boot to agent-ready,
// warm-pool job latency against the process tier, host memory per idle VM
// (QEMU RSS and PSS), jobs per second cold and pooled. Under TCG (no KVM)
// only the trend means anything.
//   vm_bench --image DIR [--runs N]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cgroup.hpp"
#include "host/tier.hpp"
#include "host/vm.hpp"

using namespace ringfence;
using namespace ringfence::vm;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

struct Stats {
    double median = 0, p95 = 0, min = 0;
};

Stats stats(std::vector<double> v) {
    if (v.empty()) return {};
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)], v.front()};
}

void print(const char* what, const std::vector<double>& v) {
    const Stats s = stats(v);
    std::printf("%-44s median %8.1f ms  p95 %8.1f ms  min %8.1f ms  (n=%zu)\n", what, s.median, s.p95, s.min, v.size());
}

std::uint64_t status_kib(pid_t pid, const char* file, const char* key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + std::strlen(key), nullptr, 10);
    return 0;
}

RunSpec true_spec(const ProfileStore& profiles) {
    RunSpec spec;
    spec.argv = {"/bin/true"};
    spec.profile = profiles.security("default").value();
    spec.stdout_target = OutputTarget::discard();
    spec.stderr_target = OutputTarget::discard();
    return spec;
}

}  // namespace

int main(int argc, char** argv) {
    std::string image;
    int runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--image")) image = argv[i + 1];
        else if (!std::strcmp(argv[i], "--runs")) runs = std::max(1, std::atoi(argv[i + 1]));
    }
    if (image.empty() || ::geteuid() != 0) {
        std::fprintf(stderr, "usage (as root): vm_bench --image DIR [--runs N]\n");
        return 2;
    }
    VmConfig config;
    config.image_dir = image;
    config.allow_tcg = true;
    auto tier = VmTier::create(config, [](const std::string&) {});
    if (!tier) {
        std::fprintf(stderr, "vm_bench: %s\n", tier.error().describe().c_str());
        return 1;
    }
    const ProfileStore profiles;
    std::printf("accelerator: %s%s\n", to_string((*tier)->accel()),
                (*tier)->isolated() ? "" : " (software emulation: figures show trends only)");

    // 1. Cold boot: spawn -> agent ready; and the guest's own uptime at ready.
    auto cgroups = detect_cgroups(CgroupOptions{});
    VmEnvironment env;
    env.config = config;
    env.accel = (*tier)->accel();
    env.tsc_khz = measure_tsc_khz();
    env.cgroups = cgroups.value().get();
    auto uids = make_vm_uid_pool(config).value();
    env.uids = uids.get();
    std::vector<double> boot, uptime, agent, rss, pss;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto vm = Vm::boot(env, VmShape{config.guest_memory_mib, 1});
        if (!vm) {
            std::fprintf(stderr, "boot failed: %s\n", vm.error().describe().c_str());
            return 1;
        }
        boot.push_back(Ms(std::chrono::steady_clock::now() - t0).count());
        uptime.push_back(static_cast<double>((*vm)->ready().uptime_ms));
        agent.push_back(static_cast<double>((*vm)->ready().agent_ms));
        // 3. Host memory of an idle VM, after it settled.
        ::usleep(500'000);
        rss.push_back(static_cast<double>(status_kib((*vm)->qemu_pid(), "status", "VmRSS:")) / 1024.0);
        pss.push_back(static_cast<double>(status_kib((*vm)->qemu_pid(), "smaps_rollup", "Pss:")) / 1024.0);
    }
    print("cold boot: verify + spawn -> agent ready", boot);
    print("  guest uptime at ready", uptime);
    print("  agent: start -> ready (modules, mounts, launcher)", agent);
    const Stats r = stats(rss), p = stats(pss);
    std::printf("%-44s RSS median %6.1f MiB, PSS median %6.1f MiB (guest RAM %llu MiB)\n", "host memory per idle VM",
                r.median, p.median, static_cast<unsigned long long>(config.guest_memory_mib));

    // 2. Job latency: process tier vs pooled VM vs cold VM, /bin/true.
    auto launcher = Launcher::create(LauncherConfig{});
    std::vector<double> process_ms, pooled_ms, cold_ms;
    const RunSpec spec = true_spec(profiles);
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        (*launcher)->run(spec);
        process_ms.push_back(Ms(std::chrono::steady_clock::now() - t0).count());
    }
    for (int i = 0; i < runs; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto res = (*tier)->run(spec);
        cold_ms.push_back(Ms(std::chrono::steady_clock::now() - t0).count());
        if (res.result.status != RunStatus::ok) std::fprintf(stderr, "cold job: %s\n", res.result.error.c_str());
    }
    const double cold_total = [&] {
        double s = 0;
        for (double v : cold_ms) s += v;
        return s;
    }();
    config.pool_size = 1;
    auto pooled_tier = VmTier::create(config, [](const std::string&) {});
    for (int i = 0; i < runs; ++i) {
        pooled_tier.value()->pool()->wait_idle(1, std::chrono::minutes(5));
        const auto t0 = std::chrono::steady_clock::now();
        const auto res = (*pooled_tier)->run(spec);
        pooled_ms.push_back(Ms(std::chrono::steady_clock::now() - t0).count());
        if (!res.vm.from_pool) std::fprintf(stderr, "note: a job missed the pool\n");
    }
    print("/bin/true, process tier", process_ms);
    print("/bin/true, VM from the warm pool", pooled_ms);
    print("/bin/true, cold VM", cold_ms);
    std::printf("%-44s %8.1f ms (pooled median - process median)\n", "warm-pool overhead over the process tier",
                stats(pooled_ms).median - stats(process_ms).median);

    // 4. Throughput, one job after another: cold VMs, and a pool of 2 kept busy.
    std::printf("%-44s %8.2f jobs/s\n", "jobs/s, sequential cold VMs", runs * 1000.0 / cold_total);
    config.pool_size = 2;
    auto busy = VmTier::create(config, [](const std::string&) {});
    busy.value()->pool()->wait_idle(2, std::chrono::minutes(5));
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < runs; ++i) (*busy)->run(spec);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-44s %8.2f jobs/s (%d jobs, refills competing for the same cores)\n",
                "jobs/s, pool of 2, back to back", runs / secs, runs);
    return 0;
}
