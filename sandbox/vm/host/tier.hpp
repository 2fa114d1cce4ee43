// The micro-VM tier as the rest of Ringfence uses it: `ringfence run --vm`,
// `ringfence judge --vm` and the service hand it the same RunSpec or Job as
// the process tier and get the same results back, marked tier "vm" with the
// accelerator that produced them. One VM per job, from the warm pool when one
// of the right shape is idle, else booted for the job; destroyed afterwards.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config.hpp"
#include "pool.hpp"
#include "ringfence/judge.hpp"
#include "ringfence/run_spec.hpp"

namespace ringfence::vm {

// How the job's VM went, for results, metrics and the audit log.
struct VmJobInfo {
    Accel accel = Accel::kvm;
    bool isolated = true;          // false under TCG: no hypervisor boundary
    bool from_pool = false;
    std::uint64_t boot_us = 0;     // spawn -> agent ready (0 when taken from the pool)
    std::uint64_t total_us = 0;    // the whole call, boot included
    std::uint64_t memory_mib = 0;  // guest RAM
    ReadyInfo guest;               // the guest's kernel, boot id, command line
};

struct VmRunResult {
    RunResult result;  // tier "vm"; status setup_error with `error` when the VM failed
    VmJobInfo vm;
};

struct VmJudgeResult {
    JobResult result;  // tier "vm"; verdict internal_error when the VM failed
    VmJobInfo vm;
};

// The process tier's result JSON plus "vm_accel" and a "vm" object.
std::string to_json(const VmRunResult& result, bool include_data = false);
std::string to_json(const VmJudgeResult& result);

// Why a RunSpec cannot run in a VM ("" when it can): the guest sees only its
// image, so host bind mounts, a host work directory and the host network
// are not available there.
std::string vm_unsupported(const RunSpec& spec);

class VmTier {
public:
    using Log = std::function<void(const std::string&)>;

    // Decides the accelerator (refuses without KVM unless config.allow_tcg),
    // finds the cgroups, checks the image once and starts the pool.
    static Result<std::unique_ptr<VmTier>> create(VmConfig config, Log log = {});
    ~VmTier();

    Accel accel() const { return env_.accel; }
    bool isolated() const { return env_.accel == Accel::kvm; }
    const VmConfig& config() const { return env_.config; }

    // Never throws. Output goes to spec.stdout_target/stderr_target as the
    // guest streams it, cut at the output limit.
    VmRunResult run(const RunSpec& spec, CancelToken* cancel = nullptr);
    // An error only for a job the guest's judge refuses (ErrorKind::input,
    // e.g. a flag not allowed); VM trouble is an internal_error verdict.
    Result<VmJudgeResult> judge(const Job& job, CancelToken* cancel = nullptr);

    std::optional<PoolStats> pool_stats() const;
    VmPool* pool() { return pool_.get(); }

private:
    VmTier() = default;
    Result<std::unique_ptr<Vm>> acquire(const VmShape& shape, VmJobInfo& info);
    VmShape shape_for_memory(std::uint64_t job_memory_kib) const;
    void log(const std::string& line) const;

    VmEnvironment env_;
    std::unique_ptr<CgroupBackend> cgroups_;
    std::unique_ptr<UidPool> uids_;
    std::unique_ptr<VmPool> pool_;
    ProfileStore profiles_;
    Log log_;
};

}  // namespace ringfence::vm
