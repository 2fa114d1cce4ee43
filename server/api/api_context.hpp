// What every API's routes share: the configuration, the store, the queue,
// tenants, metrics, the executors (languages come from the process tier).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "http/exchange.hpp"
#include "http/router.hpp"
#include "service/config.hpp"
#include "service/executor.hpp"
#include "service/metrics.hpp"
#include "service/scheduler.hpp"
#include "service/store.hpp"
#include "service/tenants.hpp"

namespace ringfence::server {

struct ApiContext {
    const ServiceConfig& config;
    JobStore& store;
    TenantRegistry& tenants;
    Scheduler& scheduler;
    Metrics& metrics;
    JobExecutor& languages;  // the process tier: its languages are the service's
    std::map<std::string, JobExecutor*> executors;
    boost::asio::io_context& ioc;
    std::atomic<bool>& draining;
    // Why jobs cannot go to the VM tier here ("vm.enabled is false", the tier's
    // start-up error); "" when the "vm" executor takes them.
    std::string vm_unavailable;
};

// How an API family presents credentials.
enum class CredentialStyle {
    bearer,  // native: Authorization: Bearer KEY
    judge0,  // X-Auth-Token header or query parameter
    piston,  // Authorization: Bearer KEY when given (its clients cannot send one)
};

// Authenticates and rate-limits; on refusal it has already answered
// (401, or 429 with Retry-After) and returns nullptr. Adds the X-RateLimit-*
// headers to whatever response the exchange later sends.
const TenantConfig* admit(ApiContext& ctx, const ExchangePtr& ex, CredentialStyle style);

// Room for `count` more jobs: else answers 429 (tenant quota, with Retry-After)
// or 503 {"error":"queue is full"} (whole service) and returns false.
bool admit_jobs(ApiContext& ctx, const ExchangePtr& ex, const TenantConfig& tenant, std::size_t count);

void respond_error(const ExchangePtr& ex, http::status status, const std::string& message);

// Calls `ready` on the I/O context once the job has finished, or after
// `max_wait` with the job as it is then; never holds a thread meanwhile.
void await_job(ApiContext& ctx, const std::string& id, std::chrono::milliseconds max_wait,
               std::function<void(std::optional<JobRecord>)> ready);

// The job record if it exists and the tenant may see it.
std::optional<JobRecord> visible_job(ApiContext& ctx, const std::string& id, const TenantConfig& tenant);

}  // namespace ringfence::server
