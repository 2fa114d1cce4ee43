#include "sandbox_context.hpp"

#include "init_image.hpp"
#include "init_plan.hpp"

namespace ringfence {

Result<SandboxContext::InitPlanRef> SandboxContext::init_plan_for(const SandboxShape& shape) {
    std::lock_guard lock(cache_mutex_);
    auto key = std::make_pair(shape.profile.get(), shape.box_size_kib);
    if (auto it = plan_cache_.find(key); it != plan_cache_.end()) return it->second.plan;
    auto seccomp = compile_seccomp(shape.profile->syscalls);
    if (!seccomp) return seccomp.error();
    MountPlanOptions options;
    options.staging = staging_dir;
    options.box_size_kib = shape.box_size_kib;
    auto mounts = plan_mounts(*shape.profile, options);
    if (!mounts) return mounts.error();
    const std::string bytes = encode_init_plan(*mounts, **seccomp);
    auto fd = sealed_memfd("ringfence-init-plan", bytes.data(), bytes.size(), false);
    if (!fd) return fd.error();
    InitPlanRef plan{std::make_shared<const UniqueFd>(std::move(*fd)),
                     opens_only_unix_sockets(shape.profile->syscalls)};
    plan_cache_[key] = {shape.profile, plan};
    return plan;
}

}  // namespace ringfence
