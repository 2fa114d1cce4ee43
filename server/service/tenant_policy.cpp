#include "tenant_policy.hpp"

#include <algorithm>

namespace ringfence::server {
namespace {

template <class T>
std::optional<PolicyDenial> over(const std::optional<T>& asked, const std::optional<T>& ceiling,
                                 const std::string& field) {
    if (!asked || !ceiling || *asked <= *ceiling) return std::nullopt;
    return PolicyDenial{false, field,
                        field + ": " + std::to_string(*asked) + " exceeds this tenant's ceiling of " +
                            std::to_string(*ceiling)};
}

std::optional<PolicyDenial> check_limits(const JobLimits& l, const LimitCeilings& c, const std::string& prefix) {
    if (auto d = over(l.cpu_time_ms, c.cpu_time_ms, prefix + ".cpu_time_ms")) return d;
    if (auto d = over(l.wall_time_ms, c.wall_time_ms, prefix + ".wall_time_ms")) return d;
    if (auto d = over(l.memory_kib, c.memory_kib, prefix + ".memory_kib")) return d;
    if (auto d = over(l.processes, c.processes, prefix + ".processes")) return d;
    if (auto d = over(l.output_bytes, c.output_bytes, prefix + ".output_bytes")) return d;
    if (auto d = over(l.file_size_bytes, c.file_size_bytes, prefix + ".file_size_bytes")) return d;
    return std::nullopt;
}

template <class T>
void clamp(std::optional<T>& value, const std::optional<T>& ceiling) {
    if (ceiling && (!value || *value > *ceiling)) value = ceiling;
}

void clamp_limits(JobLimits& l, const LimitCeilings& c) {
    clamp(l.cpu_time_ms, c.cpu_time_ms);
    clamp(l.wall_time_ms, c.wall_time_ms);
    clamp(l.memory_kib, c.memory_kib);
    clamp(l.processes, c.processes);
    clamp(l.output_bytes, c.output_bytes);
    clamp(l.file_size_bytes, c.file_size_bytes);
}

}  // namespace

std::optional<PolicyDenial> check_job_policy(const Job& job, const TenantConfig& tenant) {
    if (job.network && !tenant.network)
        return PolicyDenial{true, "network", "network: not allowed for tenant \"" + tenant.name + "\""};
    if (auto d = check_limits(job.run_limits, tenant.ceilings, "run_limits")) return d;
    if (auto d = check_limits(job.compile_limits, tenant.ceilings, "compile_limits")) return d;
    return std::nullopt;
}

void clamp_to_ceilings(Job& job, const TenantConfig& tenant) {
    clamp_limits(job.run_limits, tenant.ceilings);
    clamp_limits(job.compile_limits, tenant.ceilings);
    if (!tenant.network) job.network = false;
}

TierChoice choose_tier(const TenantConfig& tenant, const std::string& requested, const std::string& vm_unavailable) {
    bool wants_vm = tenant.isolation == "vm" || requested == "vm";
    if (!wants_vm) return {"process", ""};
    if (!vm_unavailable.empty()) {
        std::string why = tenant.isolation == "vm"
                              ? "tenant \"" + tenant.name + "\" runs only in the micro-VM tier"
                              : "the job asks for isolation \"vm\"";
        return {"vm", "isolation: " + why + ", which is not available on this server (" + vm_unavailable +
                          "); jobs are never downgraded to the process tier"};
    }
    return {"vm", ""};
}

}  // namespace ringfence::server
