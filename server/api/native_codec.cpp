#include "native_codec.hpp"

#include "http/exchange.hpp"
#include "service/audit_log.hpp"

namespace ringfence::server {

Result<Job> NativeCodec::to_job(const JobRecord& record) const { return parse_job_json(record.request); }

std::string NativeCodec::encode_result(const JobRecord&, const JobResult& result,
                                       const nlohmann::json& tier_details) const {
    if (tier_details.empty()) return to_json(result);
    auto doc = nlohmann::json::parse(to_json(result));
    doc.update(tier_details);
    return dump_json(doc);
}

CallbackRequest NativeCodec::callback(const JobRecord& finished) const {
    return {"POST", dump_json(native_run_document(finished))};
}

nlohmann::json native_run_document(const JobRecord& r) {
    auto time_or_null = [](std::int64_t ms) { return ms ? nlohmann::json(iso8601_utc_ms(ms)) : nlohmann::json(); };
    nlohmann::json result;
    if (!r.result.empty()) result = nlohmann::json::parse(r.result, nullptr, false);
    if (result.is_discarded()) result = nullptr;
    return {{"id", r.id},
            {"state", to_string(r.state)},
            {"tenant", r.tenant},
            {"language", r.language},
            {"tier", r.tier},
            {"verdict", r.verdict.empty() ? nlohmann::json() : nlohmann::json(r.verdict)},
            {"attempts", r.attempts},
            {"created_at", time_or_null(r.created_ms)},
            {"started_at", time_or_null(r.started_ms)},
            {"finished_at", time_or_null(r.finished_ms)},
            {"callback_url", r.callback_url.empty() ? nlohmann::json() : nlohmann::json(r.callback_url)},
            {"result", result}};
}

}  // namespace ringfence::server
