#include "audit_log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "crypto.hpp"
#include "store.hpp"

namespace ringfence::server {
namespace {

std::shared_ptr<spdlog::logger> json_lines_logger(const std::string& name, const std::string& path) {
    if (path.empty()) return nullptr;
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
    auto logger = std::make_shared<spdlog::logger>(name + "-" + random_uuid_v4(), sink);
    logger->set_pattern("%v");
    logger->flush_on(spdlog::level::info);
    return logger;
}

nlohmann::json limits_json(const Limits& l) {
    return {{"cpu_time_ms", l.cpu_time_ms}, {"wall_time_ms", l.wall_time_ms}, {"memory_kib", l.memory_kib},
            {"processes", l.processes},     {"output_bytes", l.output_bytes}, {"file_size_bytes", l.file_size_bytes}};
}

}  // namespace

AuditLog::AuditLog(const std::string& path) : logger_(json_lines_logger("audit", path)) {}
AuditLog::~AuditLog() = default;

std::string AuditLog::sandbox_line(const std::string& tenant, const std::string& job_id, const std::string& tier,
                                   const SandboxRecord& r) {
    nlohmann::json j = {
        {"time", iso8601_utc_ms(now_epoch_ms())},
        {"event", "sandbox"},
        {"tenant", tenant},
        {"job", job_id},
        {"purpose", r.purpose},
        {"test", r.test_index >= 0 ? nlohmann::json(r.test_index) : nlohmann::json()},
        {"language", r.language},
        {"tier", tier},
        {"host_uid", r.result.host_uid},
        // Built by the pool before any tenant asked: it held nothing until this run took it.
        {"prepared_ahead", r.result.phases.from_pool},
        {"limits", limits_json(r.limits)},
        {"verdict", to_string(r.result.status)},
        {"exit_code", r.result.exit_code},
        {"signal", r.result.signal_name.empty() ? nlohmann::json() : nlohmann::json(r.result.signal_name)},
        {"usage",
         {{"cpu_time_us", r.result.cpu_time_us},
          {"wall_time_us", r.result.wall_time_us},
          {"memory_kib", r.result.memory_kib},
          {"measured_by", r.result.measured_by}}},
        {"violation", r.result.violation ? nlohmann::json(*r.result.violation) : nlohmann::json()},
    };
    if (!r.result.error.empty()) j["error"] = r.result.error;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AuditLog::sandbox(const std::string& tenant, const std::string& job_id, const std::string& tier,
                       const SandboxRecord& record) {
    if (logger_) logger_->info(sandbox_line(tenant, job_id, tier, record));
}

void AuditLog::job(const std::string& tenant, const std::string& job_id, const std::string& language,
                   const std::string& tier, const std::string& verdict, int attempt,
                   const nlohmann::json& tier_details) {
    if (!logger_) return;
    nlohmann::json j = {{"time", iso8601_utc_ms(now_epoch_ms())}, {"event", "job"},   {"tenant", tenant},
                        {"job", job_id},                          {"language", language}, {"tier", tier},
                        {"verdict", verdict},                     {"attempt", attempt}};
    if (tier_details.is_object()) j.update(tier_details);
    logger_->info(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void AuditLog::flush() {
    if (logger_) logger_->flush();
}

}  // namespace ringfence::server
