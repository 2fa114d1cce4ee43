// Micro-VM tier figures (printed, never asserted): cold boot to agent-ready,
// warm-pool job latency against the process tier, host memory per idle VM
// (QEMU RSS and PSS, and where the RSS goes), jobs per second cold and
// pooled. Under TCG (no KVM) only the trend means anything.
//   vm_bench --image DIR [--runs N] [--tb-size MIB]
// --tb-size sets the TCG translation cache (VmConfig::tcg_tb_size_mib), to
// compare its cost in host memory and time.
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

// Where an idle QEMU's resident memory goes, from /proc/PID/smaps: guest RAM
// the guest touched, the TCG translation cache, file-backed pages (kernel
// image, QEMU binary, libraries: page cache shared by every VM) and the rest
// (QEMU's heap, device state, thread stacks).
struct RssSplit {
    double guest_ram = 0, tcg_cache = 0, shared_files = 0, other = 0;
};

RssSplit split_rss(pid_t pid, std::uint64_t guest_mib, std::uint64_t tb_mib) {
    RssSplit s;
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    double* bucket = &s.other;
    for (std::string line; std::getline(in, line);) {
        unsigned long long lo = 0, hi = 0;
        char path[512] = "";
        if (std::sscanf(line.c_str(), "%llx-%llx %*s %*s %*s %*s %511s", &lo, &hi, path) >= 2 &&
            line.find(':') > line.find(' ')) {
            const std::uint64_t mib = (hi - lo) >> 20;
            if (path[0] == '/') bucket = &s.shared_files;
            else if (mib == guest_mib) bucket = &s.guest_ram;
            // QEMU maps the cache with a guard page: a MiB less than asked.
            else if (mib + 1 >= tb_mib && mib <= tb_mib) bucket = &s.tcg_cache;
            else bucket = &s.other;
        } else if (line.rfind("Rss:", 0) == 0) {
            *bucket += std::strtod(line.c_str() + 4, nullptr) / 1024.0;
        }
    }
    return s;
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
    std::uint64_t tb_size_mib = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--image")) image = argv[i + 1];
        else if (!std::strcmp(argv[i], "--runs")) runs = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--tb-size")) tb_size_mib = std::strtoull(argv[i + 1], nullptr, 10);
    }
    if (image.empty() || ::geteuid() != 0) {
        std::fprintf(stderr, "usage (as root): vm_bench --image DIR [--runs N] [--tb-size MIB]\n");
        return 2;
    }
    VmConfig config;
    config.image_dir = image;
    if (tb_size_mib > 0) config.tcg_tb_size_mib = tb_size_mib;
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
    std::vector<RssSplit> splits;
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
        // 3. Host memory of an idle VM, after it settled: the agent's
        // background setup (in-guest judge) goes on touching guest RAM for a
        // few seconds after ready.
        ::sleep(3);
        const pid_t pid = (*vm)->qemu_pid();
        rss.push_back(static_cast<double>(status_kib(pid, "status", "VmRSS:")) / 1024.0);
        pss.push_back(static_cast<double>(status_kib(pid, "smaps_rollup", "Pss:")) / 1024.0);
        splits.push_back(split_rss(pid, config.guest_memory_mib,
                                   env.accel == Accel::tcg ? config.tcg_tb_size_mib : 0));
    }
    print("cold boot: verify + spawn -> agent ready", boot);
    print("  guest uptime at ready", uptime);
    print("  agent: start -> ready (modules, mounts, launcher)", agent);
    const Stats r = stats(rss), p = stats(pss);
    std::printf("%-44s RSS median %6.1f MiB, PSS median %6.1f MiB (guest RAM %llu MiB)\n", "host memory per idle VM",
                r.median, p.median, static_cast<unsigned long long>(config.guest_memory_mib));
    const RssSplit& last = splits.back();
    std::printf("%-44s guest RAM touched %.1f, TCG cache %.1f (tb-size %llu), shared files %.1f, other %.1f MiB\n",
                "  idle RSS split (last VM)", last.guest_ram, last.tcg_cache,
                static_cast<unsigned long long>(config.tcg_tb_size_mib), last.shared_files, last.other);
    // Page cache of the kernel image, QEMU and its libraries is paid once for
    // all VMs; the rest is every additional VM's own.
    std::printf("%-44s %8.1f MiB (RSS without shared files)\n", "  host memory per additional idle VM",
                last.guest_ram + last.tcg_cache + last.other);

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
