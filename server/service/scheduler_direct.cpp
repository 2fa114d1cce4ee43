// Direct jobs (scheduler.hpp, DirectJob): outside the queue, inside the quotas.
#include <spdlog/spdlog.h>

#include <system_error>

#include "scheduler.hpp"

namespace ringfence::server {

DirectRefusal Scheduler::start_direct(DirectJob job) {
    join_direct(true);
    std::lock_guard lock(mutex_);
    if (stopping_) return DirectRefusal::draining;
    if (deps_.max_direct > 0) {
        std::size_t live = 0;
        for (const auto& d : direct_) live += d.done->load() ? 0 : 1;
        if (live >= deps_.max_direct) return DirectRefusal::capacity;
    }
    if (!eligible(job.tenant)) return DirectRefusal::tenant_concurrency;
    const TenantConfig* tenant = deps_.tenants.find(job.tenant);
    if (tenant && outstanding_locked(job.tenant) + 1 > tenant->max_queued) return DirectRefusal::tenant_quota;
    if (active_.size() + 1 > deps_.tenants.config().max_queue_size) return DirectRefusal::queue_full;
    auto token = std::make_shared<CancelToken>();
    auto done = std::make_shared<std::atomic<bool>>(false);
    ++running_per_tenant_[job.tenant];
    active_.insert(job.id);
    running_tokens_[job.id] = token.get();
    try {
        std::thread thread([this, job, token, done] {
            run_direct(job, *token);
            *done = true;
        });
        direct_.push_back({std::move(thread), done});
    } catch (const std::system_error& e) {
        spdlog::error("direct job {}: no thread: {}", job.id, e.what());
        running_tokens_.erase(job.id);
        active_.erase(job.id);
        if (--running_per_tenant_[job.tenant] == 0) running_per_tenant_.erase(job.tenant);
        return DirectRefusal::capacity;
    }
    return DirectRefusal::none;
}

void Scheduler::run_direct(const DirectJob& job, CancelToken& token) {
    JudgeContext context;
    context.tenant = job.tenant;
    context.job_id = job.id;
    context.cancel = &token;
    context.on_sandbox = sandbox_recorder(job.tenant, job.id, job.tier);
    std::string verdict;
    try {
        verdict = job.work(context);
    } catch (const std::exception& e) {
        spdlog::error("direct job {}: {}", job.id, e.what());
        verdict = to_string(Verdict::internal_error);
    }
    bool cancelled;
    {
        std::lock_guard lock(mutex_);
        running_tokens_.erase(job.id);
        cancelled = cancel_requested_.count(job.id) > 0;
    }
    if (cancelled) verdict = "cancelled";
    deps_.metrics.job_finished(verdict, job.language, job.tier);
    deps_.audit.job(job.tenant, job.id, job.language, job.tier, verdict, 1);
    finish(job.id, job.tenant);
}

// Joins direct jobs' threads: those already finished, or all of them.
void Scheduler::join_direct(bool only_finished) {
    std::vector<DirectThread> joining;
    {
        std::lock_guard lock(mutex_);
        for (auto it = direct_.begin(); it != direct_.end();) {
            if (only_finished && !it->done->load()) {
                ++it;
                continue;
            }
            joining.push_back(std::move(*it));
            it = direct_.erase(it);
        }
    }
    for (auto& d : joining)
        if (d.thread.joinable()) d.thread.join();
}

}  // namespace ringfence::server
