// Shared set-up of the VM integration tests: the host's cgroups, a runtime
// directory, the accelerator (TCG allowed: these are tests) and images.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "cgroup.hpp"
#include "host/tier.hpp"
#include "host/vm.hpp"

namespace ringfence::vm::testing {

// Skips (returns false) when this host cannot run VMs at all: not root, no
// QEMU, no cloud kernel. Prints why once.
bool vm_host_usable();

// The environment every test VM uses; TCG allowed.
VmEnvironment environment(const std::filesystem::path& image_dir);

// An image directory for a hostile test agent in `mode` (kernel of the host,
// initramfs with the agent, a tiny root image), built once per mode.
std::filesystem::path hostile_image(const std::string& mode);

// The image made by `ringfence vm-image build` for these tests
// ($RINGFENCE_VM_TEST_IMAGE, set by ctest), or "" when unset.
std::filesystem::path real_image();

// A VM tier on `image_dir` with TCG allowed (and `pool_size` warm VMs).
std::unique_ptr<VmTier> tier_for(const std::filesystem::path& image_dir, unsigned pool_size = 0);

// QEMU processes running as a uid of the VM range (ours or another test's).
int qemu_processes_in_uid_range(std::uint32_t uid_base, std::uint32_t uid_count);
// cgroups of this process's VMs still present (under any ringfence subtree).
int vm_cgroups_left();

// True while a process with this pid exists.
bool process_alive(pid_t pid);

}  // namespace ringfence::vm::testing
