// The QEMU command line of one micro-VM: microvm machine, no legacy devices,
// no network, virtio-mmio only (root image on virtio-blk, the agent channel on
// a virtio-serial port bound to an inherited unix socket), QEMU's own seccomp
// sandbox with every optional permission denied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kvm.hpp"
#include "protocol/frame.hpp"

namespace ringfence::vm {

// Paths as the QEMU process sees them inside its jail.
inline constexpr const char* kJailKernel = "/vm/kernel";
inline constexpr const char* kJailInitramfs = "/vm/initramfs";
inline constexpr const char* kJailRootfs = "/vm/rootfs";

struct QemuPlan {
    Accel accel = Accel::kvm;
    unsigned vcpus = 1;
    std::uint64_t memory_mib = 512;
    std::uint64_t tcg_tb_size_mib = 32;  // VmConfig::tcg_tb_size_mib
    int channel_fd = 3;       // connected unix socket, inherited by QEMU
    int console_fd = -1;      // >= 0: kernel console on a serial port written to this fd
    std::uint64_t tsc_khz = 0;  // host TSC frequency; lets the guest boot without the PIT
    std::string rootfs_type = "squashfs";
    std::string machine_options;  // empty: defaults for the accelerator
};

std::string default_machine_options(Accel accel, bool serial_console);
std::string kernel_command_line(const QemuPlan& plan);
std::vector<std::string> qemu_argv(const std::string& binary, const QemuPlan& plan);

}  // namespace ringfence::vm
