#include "check.hpp"

#include <unistd.h>

#include "image/kernel.hpp"
#include "kvm.hpp"
#include "manifest.hpp"

namespace ringfence::vm {

std::vector<HostFinding> vm_host_findings(const VmConfig& config) {
    std::vector<HostFinding> out;
    const KvmStatus kvm = detect_kvm();
    out.push_back({"KVM (micro-VM tier isolation)", kvm.usable, false, kvm.detail,
                   kvm.usable ? "" : kvm.fix + "; without KVM the VM tier refuses jobs (vm.allow_tcg permits "
                                               "unisolated software emulation for development only)"});
    const bool qemu = ::access(config.qemu_binary.c_str(), X_OK) == 0;
    out.push_back({"QEMU microvm (micro-VM tier)", qemu, false,
                   config.qemu_binary.string() + (qemu ? " is installed" : " is missing"),
                   qemu ? "" : "apt-get install qemu-system-x86"});
    auto kernel = image::find_host_kernel();
    out.push_back({"guest kernel (micro-VM tier)", kernel.ok(), false,
                   kernel ? kernel->image.string() : kernel.error().message,
                   kernel ? "" : "apt-get install linux-image-cloud-amd64"});
    const auto dir = config.resolved_image_dir();
    auto image = open_verified_image(dir);
    out.push_back({"VM image (micro-VM tier)", image.ok(), false,
                   image ? dir.string() + ": verified, kernel " + image->manifest.kernel_release : image.error().describe(),
                   image ? "" : "ringfence vm-image build --out " + dir.string()});
    return out;
}

}  // namespace ringfence::vm
