// A fixed pool of worker threads that take jobs in FairQueue order, run them
// on the executor of their tier and store the result exactly once. Waiting
// clients do not hold a thread: they register a completion callback.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_codec.hpp"
#include "audit_log.hpp"
#include "executor.hpp"
#include "fair_queue.hpp"
#include "metrics.hpp"
#include "store.hpp"
#include "tenants.hpp"

namespace ringfence::server {

struct SchedulerDeps {
    JobStore& store;
    const TenantRegistry& tenants;
    Metrics& metrics;
    AuditLog& audit;
    std::map<std::string, JobExecutor*> executors;  // by tier
    std::map<std::string, const ApiCodec*> codecs;  // by api
    unsigned workers = 1;
    std::function<void()> callbacks_ready;  // a callback was enqueued
    unsigned max_direct = 0;                // direct jobs at once (0: no bound beyond the quotas)
};

// A job that runs outside the queue, on its own thread, while a client talks to
// it (a Piston WebSocket stream). It counts as a running job of its tenant
// (concurrency and queue quotas), is audited and measured like queued jobs, and
// is stopped by cancel(id) and by drain. Nothing of it is stored.
struct DirectJob {
    std::string id;
    std::string tenant;
    std::string language;
    std::string tier;
    // Runs on the job's thread; returns the verdict name for metrics and the audit log.
    std::function<std::string(const JudgeContext&)> work;
};

enum class DirectRefusal { none, draining, tenant_concurrency, tenant_quota, queue_full, capacity };

class Scheduler {
public:
    explicit Scheduler(SchedulerDeps deps);
    ~Scheduler();

    // Re-queues what a crash left running, loads the queue, starts the workers.
    Result<void> start();
    // For records already inserted in the store.
    void enqueue(const std::vector<JobRecord>& records);

    std::uint64_t outstanding(const std::string& tenant) const;  // queued + running
    std::uint64_t outstanding_total() const;

    enum class CancelOutcome { dequeued, stopping, not_active };
    CancelOutcome cancel(const std::string& id);

    // Calls `done` (from a worker thread) once the job leaves queued/running.
    // Returns false, without calling it, when the job is not active now.
    bool when_finished(const std::string& id, std::function<void()> done);

    // Starts `job` now, or says why it may not run.
    DirectRefusal start_direct(DirectJob job);

    // Stops taking jobs; waits up to `grace` for running ones, then stops them
    // without recording a result (they run again after the restart).
    void drain(std::chrono::milliseconds grace);

    GaugeSnapshot gauges() const;

private:
    void worker_loop();
    void execute(const QueuedEntry& entry);
    void finish(const std::string& id, const std::string& tenant);
    bool eligible(const std::string& tenant) const;
    std::uint64_t outstanding_locked(const std::string& tenant) const;
    std::function<void(const SandboxRecord&)> sandbox_recorder(const std::string& tenant, const std::string& id,
                                                               const std::string& tier);
    void run_direct(const DirectJob& job, CancelToken& token);
    void join_direct(bool only_finished);

    SchedulerDeps deps_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    FairQueue queue_;
    std::map<std::string, unsigned> running_per_tenant_;
    std::map<std::string, CancelToken*> running_tokens_;
    std::set<std::string> active_;  // queued or running
    std::set<std::string> cancel_requested_;
    std::multimap<std::string, std::function<void()>> waiters_;
    bool stopping_ = false;
    std::atomic<bool> abandon_{false};  // drain grace over: do not record results
    std::vector<std::thread> threads_;
    struct DirectThread {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<DirectThread> direct_;  // guarded by mutex_
};

}  // namespace ringfence::server
