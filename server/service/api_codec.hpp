// Each API (native, Judge0, Piston) stores its own normalized request and its
// own result document; a codec turns the stored request into the Job the
// executor runs and the JobResult into that API's result.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ringfence/judge.hpp"
#include "store.hpp"

namespace ringfence::server {

struct CallbackRequest {
    std::string method;  // "PUT" or "POST"
    std::string body;
};

class ApiCodec {
public:
    virtual ~ApiCodec() = default;
    virtual Result<Job> to_job(const JobRecord& record) const = 0;
    // `tier_details`: ExecutedJob::tier_details (only the native API shows them).
    virtual std::string encode_result(const JobRecord& record, const JobResult& result,
                                      const nlohmann::json& tier_details) const = 0;
    // For a finished record with a callback_url: what to send.
    virtual CallbackRequest callback(const JobRecord& finished) const = 0;
};

}  // namespace ringfence::server
