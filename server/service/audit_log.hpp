// One JSON line per sandbox created (who, what, under which limits, what came
// out), plus one per finished job (with what only its tier knows, such as
// vm_accel): the record an operator reads after an incident.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "clock.hpp"
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
             const std::string& tier, const std::string& verdict, int attempt,
             const nlohmann::json& tier_details = nlohmann::json::object());
    void flush();

    // The JSON line for one sandbox (exposed for tests).
    static std::string sandbox_line(const std::string& tenant, const std::string& job_id, const std::string& tier,
                                    const SandboxRecord& record);

private:
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace ringfence::server
