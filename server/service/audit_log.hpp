// One JSON line per sandbox created (who, what, under which limits, what came
// out), plus one per finished job: the record an operator reads after an incident.
#pragma once

#include <memory>
#include <string>

#include "ringfence/judge.hpp"

namespace spdlog {
class logger;
}

namespace ringfence::server {

class AuditLog {
public:
    // Empty path: records go nowhere (tests that do not look at them).
    explicit AuditLog(const std::string& path);
    ~AuditLog();

    void sandbox(const std::string& tenant, const std::string& job_id, const std::string& tier,
                 const SandboxRecord& record);
    void job(const std::string& tenant, const std::string& job_id, const std::string& language,
             const std::string& tier, const std::string& verdict, int attempt);
    void flush();

    // The JSON line for one sandbox (exposed for tests).
    static std::string sandbox_line(const std::string& tenant, const std::string& job_id, const std::string& tier,
                                    const SandboxRecord& record);

private:
    std::shared_ptr<spdlog::logger> logger_;
};

std::string iso8601_utc_ms(std::int64_t epoch_ms);

}  // namespace ringfence::server
