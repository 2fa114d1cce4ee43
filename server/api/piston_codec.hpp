// The Piston API's stored form (see piston_request.hpp). Piston has no
// callbacks; its results are read by the waiting /execute request.
#pragma once

#include "service/api_codec.hpp"

namespace ringfence::server {

class PistonCodec final : public ApiCodec {
public:
    Result<Job> to_job(const JobRecord& record) const override;
    std::string encode_result(const JobRecord& record, const JobResult& result,
                              const nlohmann::json& tier_details) const override;
    CallbackRequest callback(const JobRecord& finished) const override;
};

}  // namespace ringfence::server
