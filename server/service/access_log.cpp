#include "access_log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "audit_log.hpp"
#include "crypto.hpp"
#include "store.hpp"

namespace ringfence::server {

AccessLog::AccessLog(const std::string& path) {
    if (path.empty()) return;
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
    logger_ = std::make_shared<spdlog::logger>("access-" + random_uuid_v4(), sink);
    logger_->set_pattern("%v");
    // Each line reaches the file at once: a crash must not eat the record of the requests before it.
    logger_->flush_on(spdlog::level::info);
}

AccessLog::~AccessLog() {
    if (logger_) logger_->flush();
}

void AccessLog::write(const AccessRecord& r) {
    if (!logger_) return;
    nlohmann::json j = {{"time", iso8601_utc_ms(now_epoch_ms())},
                        {"remote", r.remote},
                        {"method", r.method},
                        {"target", r.target},
                        {"status", r.status},
                        {"bytes", r.bytes},
                        {"duration_ms", r.duration_ms},
                        {"tenant", r.tenant},
                        {"user_agent", r.user_agent}};
    logger_->info(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void AccessLog::flush() {
    if (logger_) logger_->flush();
}

}  // namespace ringfence::server
