// Starts the QEMU process confined the way Firecracker's jailer confines its
// VMM: in fresh mount, PID, network, IPC and UTS namespaces; on a tmpfs root
// holding only the verified kernel, initramfs and root image (bound read-only
// from the fds that were hashed), QEMU's own read-only /usr and a minimal /dev;
// inside its cgroup from its first instruction (or attached before exec on
// cgroup v1); with rlimits; as its own unprivileged uid and gid with no
// supplementary groups (except /dev/kvm's), no capabilities and no_new_privs;
// its environment empty and only the channel fds open. QEMU then adds its own
// seccomp sandbox (-sandbox). Privileges are dropped here before exec rather
// than with QEMU's -runas, which hangs the boot together with
// -sandbox elevateprivileges=deny.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cgroup.hpp"
#include "ringfence/error.hpp"
#include "unique_fd.hpp"

namespace ringfence::vm {

struct JailFile {
    int fd = -1;         // open file to expose (the exact inode is bound)
    std::string target;  // absolute path inside the jail, e.g. "/vm/kernel"
};

struct JailSpec {
    std::string binary;                 // host path of QEMU; /usr is visible inside, read-only
    std::vector<std::string> argv;      // argv[0] included
    std::filesystem::path mount_point;  // empty host directory; the jail's tmpfs root goes over it
    std::vector<JailFile> files;
    std::vector<int> pass_fds;          // become fds 3, 4, ... in QEMU, in this order
    int stderr_fd = -1;                 // QEMU's stdout and stderr (a pipe); -1: /dev/null
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;          // supplementary groups (the owner group of /dev/kvm)
    bool expose_kvm = false;            // bind /dev/kvm into the jail
    CgroupGroup* cgroup = nullptr;      // required: memory and pids caps of the VMM
    std::uint64_t rlimit_nofile = 1024;
    std::uint64_t rlimit_fsize = 0;     // QEMU writes no files
};

// A started, jailed QEMU. The destructor kills it (SIGKILL through the pidfd)
// and reaps it, so no QEMU outlives its owner.
class JailedProcess {
public:
    JailedProcess() = default;
    JailedProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
    JailedProcess(JailedProcess&& other) noexcept;
    JailedProcess& operator=(JailedProcess&& other) noexcept;
    ~JailedProcess() { kill_and_reap(); }

    pid_t pid() const { return pid_; }
    int pidfd() const { return pidfd_.get(); }
    bool running() const { return pid_ > 0; }
    // Non-blocking: true (and reaped) once the process has exited.
    bool try_reap();
    void kill_and_reap();
    // Exit status as from waitpid, once reaped.
    int wait_status() const { return status_; }

private:
    pid_t pid_ = -1;
    UniqueFd pidfd_;
    int status_ = 0;
};

Result<JailedProcess> spawn_jailed(const JailSpec& spec);

// Owner group of /dev/kvm (to pass as a supplementary group), when it exists.
std::optional<gid_t> kvm_device_group();

}  // namespace ringfence::vm
