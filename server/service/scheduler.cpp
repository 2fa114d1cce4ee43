#include "scheduler.hpp"

#include "tenant_policy.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace ringfence::server {
namespace {

JobResult internal_failure(const std::string& message) {
    JobResult r;
    r.verdict = Verdict::internal_error;
    r.internal_error = message;
    return r;
}

double seconds_us(std::uint64_t us) { return static_cast<double>(us) / 1e6; }

}  // namespace

Scheduler::Scheduler(SchedulerDeps deps) : deps_(std::move(deps)) {}

Scheduler::~Scheduler() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        abandon_ = true;
        for (auto& [id, token] : running_tokens_) token->cancel();
    }
    wake_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    join_direct(false);
}

Result<void> Scheduler::start() {
    auto queued = deps_.store.recover();
    if (!queued) return queued.error();
    {
        std::lock_guard lock(mutex_);
        for (const auto& q : queued.value()) {
            queue_.push(q.tenant, q.id);
            active_.insert(q.id);
        }
    }
    if (!queued->empty()) spdlog::info("scheduler: {} job(s) queued from the store", queued->size());
    for (unsigned i = 0; i < deps_.workers; ++i) threads_.emplace_back([this] { worker_loop(); });
    return {};
}

void Scheduler::enqueue(const std::vector<JobRecord>& records) {
    {
        std::lock_guard lock(mutex_);
        for (const auto& r : records) {
            queue_.push(r.tenant, r.id);
            active_.insert(r.id);
        }
    }
    wake_.notify_all();
}

std::uint64_t Scheduler::outstanding(const std::string& tenant) const {
    std::lock_guard lock(mutex_);
    return outstanding_locked(tenant);
}

std::uint64_t Scheduler::outstanding_locked(const std::string& tenant) const {
    auto it = running_per_tenant_.find(tenant);
    return queue_.size(tenant) + (it == running_per_tenant_.end() ? 0 : it->second);
}

std::uint64_t Scheduler::outstanding_total() const {
    std::lock_guard lock(mutex_);
    return active_.size();
}

bool Scheduler::eligible(const std::string& tenant) const {
    const TenantConfig* t = deps_.tenants.find(tenant);
    unsigned cap = t && t->max_concurrent > 0 ? t->max_concurrent : deps_.workers;
    auto it = running_per_tenant_.find(tenant);
    return it == running_per_tenant_.end() || it->second < cap;
}

Scheduler::CancelOutcome Scheduler::cancel(const std::string& id) {
    std::vector<std::function<void()>> to_call;
    {
        std::lock_guard lock(mutex_);
        if (!active_.count(id)) return CancelOutcome::not_active;
        if (auto t = running_tokens_.find(id); t != running_tokens_.end()) {
            cancel_requested_.insert(id);
            t->second->cancel();
            return CancelOutcome::stopping;
        }
        if (!queue_.remove(id)) {
            // Claimed by a worker that has not registered its token yet: stop it when it does.
            cancel_requested_.insert(id);
            return CancelOutcome::stopping;
        }
        auto stored = deps_.store.cancel(id, "", now_epoch_ms());
        if (!stored) spdlog::error("cancel {}: {}", id, stored.error().describe());
        active_.erase(id);
        auto range = waiters_.equal_range(id);
        for (auto it = range.first; it != range.second; ++it) to_call.push_back(std::move(it->second));
        waiters_.erase(range.first, range.second);
    }
    wake_.notify_all();
    for (auto& f : to_call) f();
    return CancelOutcome::dequeued;
}

bool Scheduler::when_finished(const std::string& id, std::function<void()> done) {
    std::lock_guard lock(mutex_);
    if (!active_.count(id)) return false;
    waiters_.emplace(id, std::move(done));
    return true;
}

void Scheduler::worker_loop() {
    for (;;) {
        QueuedEntry entry;
        {
            std::unique_lock lock(mutex_);
            std::optional<QueuedEntry> next;
            wake_.wait(lock, [&] {
                if (stopping_) return true;
                next = queue_.pop([this](const std::string& t) { return eligible(t); });
                return next.has_value();
            });
            if (stopping_) {
                if (next) queue_.push(next->tenant, next->id);  // stays queued in the store too
                return;
            }
            entry = *next;
            ++running_per_tenant_[entry.tenant];
        }
        execute(entry);
        finish(entry.id, entry.tenant);
    }
}

void Scheduler::finish(const std::string& id, const std::string& tenant) {
    std::vector<std::function<void()>> to_call;
    {
        std::lock_guard lock(mutex_);
        if (--running_per_tenant_[tenant] == 0) running_per_tenant_.erase(tenant);
        active_.erase(id);
        cancel_requested_.erase(id);
        auto range = waiters_.equal_range(id);
        for (auto it = range.first; it != range.second; ++it) to_call.push_back(std::move(it->second));
        waiters_.erase(range.first, range.second);
    }
    wake_.notify_all();
    idle_.notify_all();
    for (auto& f : to_call) f();
}

std::function<void(const SandboxRecord&)> Scheduler::sandbox_recorder(const std::string& tenant,
                                                                       const std::string& id,
                                                                       const std::string& tier) {
    return [this, tenant, id, tier](const SandboxRecord& s) {
        deps_.audit.sandbox(tenant, id, tier, s);
        deps_.metrics.sandbox_setup(seconds_us(s.result.phases.prepare_us + s.result.phases.start_us));
        if (s.purpose == "compile") deps_.metrics.compile_time(seconds_us(s.result.wall_time_us));
        if (s.purpose == "test") deps_.metrics.run_time(seconds_us(s.result.wall_time_us));
    };
}

void Scheduler::execute(const QueuedEntry& entry) {
    auto& store = deps_.store;
    auto claimed = store.mark_running(entry.id, now_epoch_ms());
    if (!claimed || !claimed.value()) {
        if (!claimed) spdlog::error("job {}: {}", entry.id, claimed.error().describe());
        return;  // cancelled or deleted meanwhile
    }
    auto loaded = store.get(entry.id);
    if (!loaded || !loaded.value()) {
        spdlog::error("job {} vanished from the store", entry.id);
        return;
    }
    JobRecord record = std::move(*loaded.value());
    deps_.metrics.queue_wait(static_cast<double>(record.started_ms - record.created_ms) / 1000.0);

    CancelToken token;
    {
        std::lock_guard lock(mutex_);
        running_tokens_[record.id] = &token;
        if (cancel_requested_.count(record.id)) token.cancel();
    }

    ExecutedJob executed;
    JobResult& result = executed.result;
    auto codec = deps_.codecs.find(record.api);
    auto executor = deps_.executors.find(record.tier);
    if (codec == deps_.codecs.end()) {
        result = internal_failure("no codec for api '" + record.api + "'");
    } else if (executor == deps_.executors.end() || !executor->second) {
        // Never downgrade: a job meant for the VM tier does not run in the process tier.
        result = internal_failure("isolation tier '" + record.tier + "' is not available on this server");
        result.tier = record.tier;
    } else {
        auto job = codec->second->to_job(record);
        if (job) job = executor->second->normalize(std::move(job.value()));
        if (job)
            if (const TenantConfig* t = deps_.tenants.find(record.tenant)) clamp_to_ceilings(job.value(), *t);
        if (!job) {
            result = internal_failure("stored request no longer valid: " + job.error().message);
        } else {
            JudgeContext context;
            context.tenant = record.tenant;
            context.job_id = record.id;
            context.cancel = &token;
            context.on_sandbox = sandbox_recorder(record.tenant, record.id, executor->second->tier());
            executed = executor->second->run(job.value(), context);
        }
    }

    bool cancelled;
    {
        std::lock_guard lock(mutex_);
        running_tokens_.erase(record.id);
        cancelled = cancel_requested_.count(record.id) > 0;
    }
    if (abandon_) return;  // shutting down: stays 'running', re-run after the restart
    std::int64_t now = now_epoch_ms();
    if (cancelled) {
        if (auto r = store.cancel(record.id, "", now); !r) spdlog::error("job {}: {}", record.id, r.error().describe());
        deps_.metrics.job_finished("cancelled", record.language, record.tier);
        deps_.audit.job(record.tenant, record.id, record.language, record.tier, "cancelled", record.attempts);
        return;
    }
    std::string verdict = to_string(result.verdict);
    record.result = codec == deps_.codecs.end()
                        ? std::string("{}")
                        : codec->second->encode_result(record, result, executed.tier_details);
    record.verdict = verdict;
    record.state = JobState::done;
    record.finished_ms = now;
    std::optional<PendingCallback> callback;
    if (!record.callback_url.empty() && codec != deps_.codecs.end()) {
        auto request = codec->second->callback(record);
        callback = PendingCallback{0, record.id, record.tenant, record.callback_url, request.method, request.body, 0, now};
    }
    auto stored = store.complete(record.id, verdict, record.result, now, callback);
    if (!stored) spdlog::error("job {}: result not stored: {}", record.id, stored.error().describe());
    deps_.metrics.job_finished(verdict, record.language, result.tier);
    deps_.audit.job(record.tenant, record.id, record.language, result.tier, verdict, record.attempts,
                    executed.tier_details);
    if (callback && stored && stored.value() && deps_.callbacks_ready) deps_.callbacks_ready();
}

void Scheduler::drain(std::chrono::milliseconds grace) {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    bool finished = idle_.wait_for(lock, grace, [this] { return running_tokens_.empty() && running_per_tenant_.empty(); });
    if (!finished) {
        spdlog::warn("drain: grace period over, stopping {} running job(s); they run again after restart",
                     running_tokens_.size());
        abandon_ = true;
        for (auto& [id, token] : running_tokens_) token->cancel();
    }
    lock.unlock();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    join_direct(false);
}

GaugeSnapshot Scheduler::gauges() const {
    GaugeSnapshot g;
    {
        std::lock_guard lock(mutex_);
        g.queued_by_tenant = queue_.depths();
        for (const auto& [t, n] : running_per_tenant_) g.running_by_tenant[t] = n;
    }
    for (const auto& t : deps_.tenants.config().tenants) {
        g.queued_by_tenant.try_emplace(t.name, 0);
        g.running_by_tenant.try_emplace(t.name, 0);
    }
    g.workers = deps_.workers;
    for (const auto& [tier, e] : deps_.executors)
        if (e) {
            g.active_sandboxes += e->active_sandboxes();
            g.tiers[tier] = e->accel();
        }
    if (auto p = deps_.store.pending_callback_count()) g.pending_callbacks = p.value();
    return g;
}

}  // namespace ringfence::server
