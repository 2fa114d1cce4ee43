// Where accepted jobs live until their result is read: the durable truth the
// scheduler's in-memory queue is rebuilt from after a restart. Kept small so
// that a PostgreSQL backend (several nodes) can implement it too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clock.hpp"
#include "ringfence/error.hpp"

namespace ringfence::server {

enum class JobState { queued, running, done, cancelled };
const char* to_string(JobState state) noexcept;

struct JobRecord {
    std::string id;
    std::string tenant;
    std::string api;       // "native", "judge0", "piston": which codec reads `request` and writes `result`
    std::string language;  // profile id
    std::string tier;      // "process" or "vm": decided at submission
    JobState state = JobState::queued;
    std::int64_t seq = 0;  // arrival order, assigned by the store
    std::int64_t created_ms = 0;  // Unix epoch milliseconds
    std::int64_t started_ms = 0;
    std::int64_t finished_ms = 0;
    std::string request;   // the API's own request, normalized (JSON text)
    std::string result;    // the API's own result (JSON text); empty until done
    std::string verdict;   // overall verdict once done (metrics, listing)
    std::string callback_url;
    int attempts = 0;      // times a worker started it (> 1 after a crash re-run)
};

struct QueuedJob {
    std::string id;
    std::string tenant;
};

struct PendingCallback {
    std::int64_t id = 0;
    std::string job_id;
    std::string tenant;
    std::string url;
    std::string method;  // "PUT" (Judge0) or "POST" (native)
    std::string body;
    int attempts = 0;
    std::int64_t next_attempt_ms = 0;
};

class JobStore {
public:
    virtual ~JobStore() = default;

    // All or nothing; durable on disk when it returns ok, so a 2xx may follow.
    virtual Result<void> insert(std::vector<JobRecord>& jobs) = 0;
    virtual Result<std::optional<JobRecord>> get(const std::string& id) = 0;
    // Newest first; empty tenant or api: any.
    virtual Result<std::vector<JobRecord>> list(const std::string& tenant, const std::string& api,
                                                std::uint64_t offset, std::uint64_t limit) = 0;
    virtual Result<std::uint64_t> count(const std::string& tenant, const std::string& api) = 0;

    // After a restart: jobs a crash left running go back to queued (they are
    // re-run); returns every queued job in arrival order.
    virtual Result<std::vector<QueuedJob>> recover() = 0;
    // queued -> running; false when the job is no longer queued (cancelled, deleted).
    virtual Result<bool> mark_running(const std::string& id, std::int64_t now_ms) = 0;
    // running -> done, exactly once, together with its callback (same transaction).
    virtual Result<bool> complete(const std::string& id, const std::string& verdict, const std::string& result,
                                  std::int64_t now_ms, const std::optional<PendingCallback>& callback) = 0;
    // queued or running -> cancelled; false when already finished.
    virtual Result<bool> cancel(const std::string& id, const std::string& result, std::int64_t now_ms) = 0;
    virtual Result<bool> remove(const std::string& id) = 0;

    virtual Result<std::vector<PendingCallback>> due_callbacks(std::int64_t now_ms, std::size_t limit) = 0;
    // delivered, or another try at next_attempt_ms, or given up.
    virtual Result<void> callback_attempted(std::int64_t id, bool delivered, bool give_up,
                                            std::int64_t next_attempt_ms, const std::string& error) = 0;
    virtual Result<std::uint64_t> pending_callback_count() = 0;
};

}  // namespace ringfence::server
