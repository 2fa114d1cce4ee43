// What the agent does as PID 1 before it can take a job: mount /proc, /sys
// and /dev (the kernel does not mount devtmpfs itself), load its modules,
// mount the read-only root image from /dev/vda, give it writable /tmp and
// /run and cgroup hierarchies, and make it the root (switch_root style:
// move the mount over / and chroot, since initramfs cannot be pivot_root'ed;
// the image root can be, which the in-guest launcher needs).
#pragma once

#include <chrono>
#include <string>

#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence::vm::guest {

inline constexpr const char* kModulesList = "ringfence.modules";  // beside modules.dep
inline constexpr const char* kRootDevice = "/dev/vda";

// The value of `key=` on the kernel command line, or "" when absent.
std::string kernel_arg(const std::string& cmdline, const std::string& key);

Result<void> mount_early_filesystems();
Result<void> tune_kernel();
Result<void> load_listed_modules();
Result<void> switch_to_image_root(const std::string& fstype, std::chrono::milliseconds device_timeout);

// Opens the virtio-serial port named `name` (/sys/class/virtio-ports/*/name),
// waiting for it to appear and to become openable.
Result<UniqueFd> open_named_port(const std::string& name, std::chrono::milliseconds timeout);

std::string read_small_file(const std::string& path);
std::uint64_t boottime_ms();

}  // namespace ringfence::vm::guest
