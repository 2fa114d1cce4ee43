// What `ringfence check` reports for the micro-VM tier: whether KVM is usable
// and why not, whether QEMU, the guest kernel and a verified image are there.
#pragma once

#include <vector>

#include "config.hpp"
#include "ringfence/host_check.hpp"

namespace ringfence::vm {

std::vector<HostFinding> vm_host_findings(const VmConfig& config);

}  // namespace ringfence::vm
