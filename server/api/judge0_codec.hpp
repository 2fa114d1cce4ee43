// The Judge0 API's stored form (see judge0_submission.hpp).
#pragma once

#include "service/api_codec.hpp"

namespace ringfence::server {

class Judge0Codec final : public ApiCodec {
public:
    Result<Job> to_job(const JobRecord& record) const override;
    std::string encode_result(const JobRecord& record, const JobResult& result,
                              const nlohmann::json& tier_details) const override;
    // Judge0 sends a PUT with the default fields, always base64 (judge0/judge0#480).
    CallbackRequest callback(const JobRecord& finished) const override;
};

}  // namespace ringfence::server
