// Settings of the micro-VM tier ("vm" section of the service configuration,
// `--vm-*` options of the command line).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "ringfence/error.hpp"

namespace ringfence::vm {

struct VmConfig {
    // Directory made by `ringfence vm-image build`: manifest.json, kernel,
    // initramfs, root image. Empty: $RINGFENCE_VM_DIR, else /var/lib/ringfence/vm.
    std::filesystem::path image_dir;
    std::filesystem::path qemu_binary = "/usr/bin/qemu-system-x86_64";
    // Working files (uid leases, jail mount point). Empty: /run/ringfence/vm.
    std::filesystem::path runtime_dir;
    // Software emulation when /dev/kvm is unusable: development and tests only.
    bool allow_tcg = false;
    unsigned vcpus = 1;
    // Guest RAM: at least this, and at least the job's memory limit plus
    // guest_overhead_mib. Pooled VMs have exactly this much, so the default
    // fits the languages' default limits (compile 1 GiB). Guest RAM costs the
    // host only what the guest touches.
    std::uint64_t guest_memory_mib = 1280;
    std::uint64_t guest_overhead_mib = 192;  // guest kernel, agent, tmpfs /tmp and /box
    // Host memory allowed to the QEMU process beyond guest RAM (its cgroup cap).
    std::uint64_t vmm_overhead_mib = 256;
    std::uint32_t vmm_pids = 256;            // QEMU's threads (vCPUs, I/O workers)
    // TCG translation cache (QEMU's default is 1 GiB), host memory of every
    // VM under TCG: a boot to agent-ready alone translates about 56 MiB of
    // code, so 64 was filled by every idle VM; 32 halves that. Boot-time
    // differences between 16, 32 and 64 stayed within the noise of a shared
    // 2-core host (vm_bench --tb-size compares). Unused under KVM.
    std::uint64_t tcg_tb_size_mib = 32;
    std::uint64_t boot_timeout_ms = 60'000;  // spawn -> agent ready
    // Hard wall-time kill of a VM: the job's own worst case plus this margin.
    std::uint64_t wall_margin_ms = 15'000;
    std::uint64_t max_wall_ms = 30 * 60'000;
    unsigned pool_size = 0;                  // pre-booted idle VMs (one job each, then destroyed)
    // Host uids/gids for QEMU processes, one per concurrent VM. Never 0.
    std::uint32_t uid_base = 2'100'000'000u;
    std::uint32_t uid_count = 4096;
    std::string cgroup_root;                 // see CgroupOptions::root; empty: automatic
    // Machine options override; empty: chosen per accelerator (see qemu_args.cpp).
    std::string machine_options;
    // Kernel console on a serial port written to this file (debugging boots; slower).
    std::filesystem::path console_log;

    std::filesystem::path resolved_image_dir() const;
    std::filesystem::path resolved_runtime_dir() const;
};

// Reads the "vm" object of a configuration file: keys as in VmConfig; unknown
// keys and wrong types are input errors naming the key ("vm.pool_size: ...").
Result<VmConfig> parse_vm_config(const nlohmann::json& section, VmConfig base = {});

// Consistency checks (uid range, memory, vcpus); empty when fine.
std::string validate(const VmConfig& config);

}  // namespace ringfence::vm
