#include "sandbox_context.hpp"

namespace ringfence {

SandboxContext::~SandboxContext() {
    if (no_capabilities) cap_free(no_capabilities);
}

Result<std::shared_ptr<const SeccompProgram>> SandboxContext::seccomp_for(
    const std::shared_ptr<const SecurityProfile>& profile) {
    std::lock_guard lock(cache_mutex_);
    if (auto it = seccomp_cache_.find(profile.get()); it != seccomp_cache_.end())
        return it->second.program;
    auto program = compile_seccomp(profile->syscalls);
    if (!program) return program.error();
    seccomp_cache_[profile.get()] = {profile, *program};
    return *program;
}

Result<std::shared_ptr<const MountPlan>> SandboxContext::mounts_for(const SandboxShape& shape) {
    std::lock_guard lock(cache_mutex_);
    auto key = std::make_pair(shape.profile.get(), shape.box_size_kib);
    if (auto it = mount_cache_.find(key); it != mount_cache_.end()) return it->second.plan;
    MountPlanOptions options;
    options.staging = staging_dir;
    options.box_size_kib = shape.box_size_kib;
    auto plan = plan_mounts(*shape.profile, options);
    if (!plan) return plan.error();
    auto shared = std::make_shared<const MountPlan>(std::move(*plan));
    mount_cache_[key] = {shape.profile, shared};
    return std::shared_ptr<const MountPlan>(shared);
}

}  // namespace ringfence
