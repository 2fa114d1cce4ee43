// libFuzzer: the native job JSON parser (POST /v1/runs bodies).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ringfence/judge.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    auto job = ringfence::parse_job_json(text);
    if (job) (void)job->sources.size();
    return 0;
}
