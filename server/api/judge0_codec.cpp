#include "judge0_codec.hpp"

#include "http/exchange.hpp"
#include "judge0_submission.hpp"

namespace ringfence::server {

Result<Job> Judge0Codec::to_job(const JobRecord& record) const {
    auto stored = nlohmann::json::parse(record.request, nullptr, false);
    if (stored.is_discarded()) return internal_error("stored Judge0 request is not JSON");
    return judge0::to_job(stored);
}

std::string Judge0Codec::encode_result(const JobRecord& record, const JobResult& result,
                                        const nlohmann::json&) const {
    auto stored = nlohmann::json::parse(record.request, nullptr, false);
    if (stored.is_discarded()) stored = nlohmann::json::object();
    return dump_json(judge0::outcome(result, stored));
}

CallbackRequest Judge0Codec::callback(const JobRecord& finished) const {
    auto rendered = judge0::render(finished, judge0::default_fields(), true, {});
    return {"PUT", dump_json(rendered.body)};
}

}  // namespace ringfence::server
