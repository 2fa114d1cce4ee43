// What a tenant's configuration allows a job: limit ceilings, network, and the
// isolation tier (a tenant set to "vm" is never downgraded to "process").
#pragma once

#include <string>

#include "config.hpp"
#include "ringfence/job.hpp"

namespace ringfence::server {

struct PolicyDenial {
    bool forbidden = false;  // true: 403 (not allowed at all); false: 422 (value out of range)
    std::string field;
    std::string message;     // names the field
};

// Explicit requests above a ceiling are refused, naming the field (JSON path).
std::optional<PolicyDenial> check_job_policy(const Job& job, const TenantConfig& tenant);
// After the profile's defaults are filled in: caps defaults that exceed the ceilings.
void clamp_to_ceilings(Job& job, const TenantConfig& tenant);

struct TierChoice {
    std::string tier;   // "process" or "vm"
    std::string error;  // non-empty: refuse (the tier is not available here)
};
// `vm_unavailable`: why the VM tier cannot take jobs here ("" when it can).
TierChoice choose_tier(const TenantConfig& tenant, const std::string& requested, const std::string& vm_unavailable);

}  // namespace ringfence::server
