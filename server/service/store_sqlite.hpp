// The embedded store: one SQLite database in WAL mode under the data directory.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store.hpp"

struct sqlite3;

namespace ringfence::server {

class SqliteStore final : public JobStore {
public:
    // `synchronous_full`: fsync on every commit (a 2xx survives power loss, not only a crash).
    static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, bool synchronous_full = true);
    ~SqliteStore() override;

    Result<void> insert(std::vector<JobRecord>& jobs) override;
    Result<std::optional<JobRecord>> get(const std::string& id) override;
    Result<std::vector<JobRecord>> list(const std::string& tenant, const std::string& api, std::uint64_t offset,
                                        std::uint64_t limit) override;
    Result<std::uint64_t> count(const std::string& tenant, const std::string& api) override;
    Result<std::vector<QueuedJob>> recover() override;
    Result<bool> mark_running(const std::string& id, std::int64_t now_ms) override;
    Result<bool> complete(const std::string& id, const std::string& verdict, const std::string& result,
                          std::int64_t now_ms, const std::optional<PendingCallback>& callback) override;
    Result<bool> cancel(const std::string& id, const std::string& result, std::int64_t now_ms) override;
    Result<bool> remove(const std::string& id) override;
    Result<std::vector<PendingCallback>> due_callbacks(std::int64_t now_ms, std::size_t limit) override;
    Result<void> callback_attempted(std::int64_t id, bool delivered, bool give_up, std::int64_t next_attempt_ms,
                                    const std::string& error) override;
    Result<std::uint64_t> pending_callback_count() override;

private:
    explicit SqliteStore(sqlite3* db) : db_(db) {}
    Result<void> exec(const char* sql);
    Error db_error(const std::string& what) const;

    sqlite3* db_;
    std::mutex mutex_;  // one connection, serialized: SQLite commits one writer at a time anyway
};

}  // namespace ringfence::server
