// The guest's initramfs: the static agent as /init, the kernel modules it
// loads (with a modules.dep trimmed to them and the list to load), and the
// mount points it needs before switching to the root image.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kernel.hpp"

namespace ringfence::vm::image {

// What the agent needs: the virtio-mmio transport, the root disk, the agent
// port, and the root image's filesystem when it is a module.
std::vector<std::string> guest_modules(const std::string& rootfs_type);

// `extra_files`: (path, content) pairs added as they are (tests use them).
Result<void> build_initramfs(const std::filesystem::path& agent_binary, const HostKernel& kernel,
                             const std::vector<std::string>& modules, const std::filesystem::path& out,
                             const std::vector<std::pair<std::string, std::string>>& extra_files = {});

}  // namespace ringfence::vm::image
