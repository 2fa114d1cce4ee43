// The native API's stored form: the job JSON as sent (without the envelope's
// callback_url) and the judge's result JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "service/api_codec.hpp"

namespace ringfence::server {

class NativeCodec final : public ApiCodec {
public:
    Result<Job> to_job(const JobRecord& record) const override;
    std::string encode_result(const JobRecord& record, const JobResult& result,
                              const nlohmann::json& tier_details) const override;
    CallbackRequest callback(const JobRecord& finished) const override;
};

// GET /v1/runs/{id}: the record with its result.
nlohmann::json native_run_document(const JobRecord& record);

}  // namespace ringfence::server
