#include "piston_codec.hpp"

#include "http/exchange.hpp"
#include "piston_request.hpp"

namespace ringfence::server {

Result<Job> PistonCodec::to_job(const JobRecord& record) const {
    auto stored = nlohmann::json::parse(record.request, nullptr, false);
    if (stored.is_discarded()) return internal_error("stored Piston request is not JSON");
    return piston::to_job(stored);
}

std::string PistonCodec::encode_result(const JobRecord& record, const JobResult& result,
                                        const nlohmann::json&) const {
    auto stored = nlohmann::json::parse(record.request, nullptr, false);
    if (stored.is_discarded()) stored = nlohmann::json::object();
    return dump_json(piston::outcome(result, stored));
}

CallbackRequest PistonCodec::callback(const JobRecord& finished) const { return {"POST", finished.result}; }

}  // namespace ringfence::server
