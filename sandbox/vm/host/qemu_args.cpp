#include "qemu_args.hpp"

namespace ringfence::vm {

std::string default_machine_options(Accel accel, bool serial_console) {
    // ACPI stays on: Debian's kernel finds virtio-mmio devices only through it
    // (no CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES). Without the PIT and PIC the guest
    // needs the TSC frequency on its command line (tsc_early_khz). Under TCG the
    // RTC stays: without it the kernel waits about a second twice probing for it;
    // under KVM kvmclock replaces it.
    std::string m = "microvm,acpi=on,x-option-roms=off,pit=off,pic=off,usb=off,graphics=off";
    m += serial_console ? ",isa-serial=on" : ",isa-serial=off";
    if (accel == Accel::kvm) m += ",rtc=off";
    return m;
}

std::string kernel_command_line(const QemuPlan& p) {
    std::string c = p.console_fd >= 0 ? "console=ttyS0 loglevel=7" : "quiet loglevel=1";
    // panic=-1 + reboot=t + -no-reboot: a guest panic ends the QEMU process.
    c += " panic=-1 reboot=t rdinit=/init ringfence.rootfs=" + p.rootfs_type;
    if (p.tsc_khz > 0) c += " tsc_early_khz=" + std::to_string(p.tsc_khz);
    return c;
}

std::vector<std::string> qemu_argv(const std::string& binary, const QemuPlan& p) {
    const std::string machine =
        p.machine_options.empty() ? default_machine_options(p.accel, p.console_fd >= 0) : p.machine_options;
    std::vector<std::string> a = {
        binary,
        "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
        "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
        "-M", machine,
    };
    if (p.accel == Accel::kvm) {
        a.insert(a.end(), {"-accel", "kvm", "-cpu", "host"});
    } else {
        a.insert(a.end(), {"-accel", "tcg,tb-size=" + std::to_string(p.tcg_tb_size_mib), "-cpu", "max"});
    }
    a.insert(a.end(), {
        "-m", std::to_string(p.memory_mib) + "M",
        "-smp", std::to_string(p.vcpus),
        "-kernel", kJailKernel,
        "-initrd", kJailInitramfs,
        "-append", kernel_command_line(p),
        "-drive", std::string("id=root,file=") + kJailRootfs + ",format=raw,if=none,read-only=on",
        "-device", "virtio-blk-device,drive=root",
        "-chardev", "socket,id=agent,fd=" + std::to_string(p.channel_fd),
        "-device", "virtio-serial-device,max_ports=2",
        "-device", std::string("virtserialport,chardev=agent,name=") + kAgentPort,
    });
    if (p.console_fd >= 0)
        a.insert(a.end(), {"-add-fd", "fd=" + std::to_string(p.console_fd) + ",set=1",
                           "-chardev", "file,id=console,path=/dev/fdset/1", "-serial", "chardev:console"});
    return a;
}

}  // namespace ringfence::vm
