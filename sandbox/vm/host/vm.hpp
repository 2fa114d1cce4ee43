// One micro-VM: verified image, leased uid, its own cgroup, a jailed QEMU and
// the session with its agent. A Vm runs exactly one job and is then destroyed;
// destruction kills QEMU, reaps it, removes its cgroup and frees its uid.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "cgroup.hpp"
#include "config.hpp"
#include "jail.hpp"
#include "kvm.hpp"
#include "ringfence/launcher.hpp"
#include "session.hpp"
#include "uid_pool.hpp"

namespace ringfence::vm {

// What every VM of one tier shares.
struct VmEnvironment {
    VmConfig config;
    Accel accel = Accel::kvm;
    std::uint64_t tsc_khz = 0;
    CgroupBackend* cgroups = nullptr;
    // One host uid per running VM (the launcher's lease scheme: lock files,
    // so concurrent Ringfence processes never share one).
    UidPool* uids = nullptr;
    std::optional<gid_t> kvm_group;
};

struct VmShape {
    std::uint64_t memory_mib = 512;
    unsigned vcpus = 1;
    bool operator==(const VmShape&) const = default;
};

// How a job in a VM ended when it did not end with the agent's result.
struct VmFailure {
    SessionEnd end = SessionEnd::io_error;
    Error error;
};

template <class T>
using VmResult = std::variant<T, VmFailure>;

class Vm {
public:
    // Verifies the image, starts QEMU and waits until the agent is ready.
    static Result<std::unique_ptr<Vm>> boot(const VmEnvironment& env, const VmShape& shape);
    ~Vm();

    const ReadyInfo& ready() const { return ready_; }
    const VmShape& shape() const { return shape_; }
    Accel accel() const { return accel_; }
    pid_t qemu_pid() const { return qemu_.pid(); }
    // QEMU still runs (an idle pooled VM may have died: never use it then).
    bool alive() { return qemu_.running() && !qemu_.try_reap(); }
    std::uint64_t boot_us() const { return boot_us_; }  // spawn -> agent ready
    // The cgroup holding QEMU (for tests and memory figures).
    const CgroupGroup& cgroup() const { return *cgroup_; }

    // Runs the one job; `wall_ms` is the VM's hard wall-time limit from now.
    // The VM is unusable afterwards, whatever happened.
    VmResult<RunResult> run(const JobRequest& request, const OutputTarget& out, const OutputTarget& err,
                            std::uint64_t wall_ms, CancelToken* cancel);
    VmResult<JobResult> judge(const JobRequest& request, std::uint64_t wall_ms, CancelToken* cancel);

    // Kills QEMU now (idempotent); the destructor does it too.
    void destroy();

private:
    Vm() = default;
    VmFailure failure_from(const SessionError& e);
    std::string qemu_diagnostics();

    VmShape shape_;
    Accel accel_ = Accel::kvm;
    ringfence::UidLease uid_;
    std::unique_ptr<CgroupGroup> cgroup_;
    JailedProcess qemu_;
    UniqueFd qemu_stderr_;
    std::optional<GuestSession> session_;
    ReadyInfo ready_;
    std::uint64_t boot_us_ = 0;
    bool used_ = false;
};

// The uid pool for QEMU processes: config.uid_base/uid_count, lock files in
// <runtime_dir>/uids.
Result<std::unique_ptr<UidPool>> make_vm_uid_pool(const VmConfig& config);

// Host TSC frequency in kHz, measured against CLOCK_MONOTONIC (a few ms).
std::uint64_t measure_tsc_khz();

}  // namespace ringfence::vm
