#include "kvm.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "unique_fd.hpp"

namespace ringfence::vm {

bool kvm_is_pvm_only(const std::string& module_dir) {
    const auto loaded = [&](const char* module) {
        struct stat st {};
        return ::stat((module_dir + "/" + module).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    };
    return loaded("kvm_pvm") && !loaded("kvm_intel") && !loaded("kvm_amd");
}

KvmStatus detect_kvm(const std::string& device, const std::string& module_dir) {
    KvmStatus status;
    struct stat st {};
    if (::stat(device.c_str(), &st) != 0) {
        status.detail = device + ": " + std::strerror(errno);
        status.fix = "enable hardware virtualization (VT-x/AMD-V, or nested virtualization for a VM host) "
                     "and load the kvm_intel or kvm_amd module (modprobe kvm_amd)";
        return status;
    }
    if (!S_ISCHR(st.st_mode)) {
        status.detail = device + " is not a character device";
        status.fix = "remove the stray file and load the kvm module";
        return status;
    }
    UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) {
        status.detail = device + ": " + std::strerror(errno);
        status.fix = errno == EACCES ? "run Ringfence as root or add its user to the group owning " + device
                                     : "check that the kvm module is loaded and the device is usable";
        return status;
    }
    const int version = ::ioctl(fd.get(), KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION) {
        status.detail = device + ": unexpected KVM API version " + std::to_string(version);
        status.fix = "use a kernel with the stable KVM API (version 12)";
        return status;
    }
    status.detail = device + ": KVM API version " + std::to_string(version);
    // Seen on a development host that is itself a PVM guest: QEMU's -cpu host
    // dies there setting an MSR, and without that the tier's standard guest
    // kernel runs in emulation, taking over 30 s to reach its first mounts.
    if (kvm_is_pvm_only(module_dir)) {
        status.detail += ", served by kvm_pvm (PVM: no hardware virtualization; it runs standard guest "
                         "kernels only in slow emulation)";
        status.fix = "run the VM tier on a host with hardware virtualization (VT-x/AMD-V, or nested "
                     "virtualization for a VM host) and the kvm_intel or kvm_amd module";
        return status;
    }
    status.usable = true;
    return status;
}

const char* to_string(Accel accel) noexcept { return accel == Accel::kvm ? "kvm" : "tcg"; }

Result<Accel> choose_accel(const KvmStatus& kvm, bool allow_tcg) {
    if (kvm.usable) return Accel::kvm;
    if (allow_tcg) return Accel::tcg;
    return setup_error("the VM tier needs KVM and it is not usable (" + kvm.detail + "; fix: " + kvm.fix +
                       "). Software emulation (TCG) is no isolation boundary and is refused unless "
                       "--vm-allow-tcg / vm.allow_tcg is set for development and tests");
}

}  // namespace ringfence::vm
