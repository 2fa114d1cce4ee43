// Kernel modules the guest needs (virtio-mmio, virtio-blk, virtio-console,
// squashfs), loaded by the agent from its initramfs in dependency order as
// modules.dep gives it. The stock Debian kernel builds them as modules.
#pragma once

#include <string>
#include <vector>

#include "ringfence/error.hpp"

namespace ringfence::vm::guest {

// Module name as the kernel knows it: file name without ".ko", '-' as '_'.
std::string module_name(const std::string& path);

// Paths (relative to the modules directory, as in modules.dep) to load so
// that every wanted module is present: dependencies first, each once.
Result<std::vector<std::string>> module_load_order(const std::string& modules_dep,
                                                   const std::vector<std::string>& wanted);

// finit_module()s each path under `dir`; modules already loaded are fine.
Result<void> load_modules(const std::string& dir, const std::vector<std::string>& paths);

}  // namespace ringfence::vm::guest
