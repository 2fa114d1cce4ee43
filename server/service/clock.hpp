// Wall-clock time as the service stores and shows it: milliseconds since the
// epoch, and Judge0's timestamp format.
#pragma once

#include <cstdint>
#include <string>

namespace ringfence::server {

std::int64_t now_epoch_ms();
// "2024-12-09T17:22:55.662Z"
std::string iso8601_utc_ms(std::int64_t epoch_ms);

}  // namespace ringfence::server
