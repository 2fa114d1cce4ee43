// Whether this host can give the VM tier a hardware boundary (KVM), and the
// decision between KVM and software emulation (TCG). QEMU's security policy
// covers only KVM: TCG is for development and tests, and only when the
// configuration says so explicitly. Without KVM and without that permission
// the VM tier refuses; it never downgrades a job to the process tier.
#pragma once

#include <string>

#include "ringfence/error.hpp"

namespace ringfence::vm {

struct KvmStatus {
    bool usable = false;
    std::string detail;  // what was found ("/dev/kvm: API version 12")
    std::string fix;     // how to get it, when !usable
};

// Opens /dev/kvm read-write, asks for the KVM API version and checks which
// module serves it. `device` and `module_dir` are overridable for tests.
KvmStatus detect_kvm(const std::string& device = "/dev/kvm", const std::string& module_dir = "/sys/module");

// Whether /dev/kvm comes from kvm_pvm alone (PVM: KVM without hardware
// virtualization, for guest kernels built for it), going by the modules
// loaded under `module_dir`.
bool kvm_is_pvm_only(const std::string& module_dir);

enum class Accel { kvm, tcg };
const char* to_string(Accel accel) noexcept;

// kvm when usable; tcg only with allow_tcg; otherwise a setup error that says why.
Result<Accel> choose_accel(const KvmStatus& kvm, bool allow_tcg);

}  // namespace ringfence::vm
