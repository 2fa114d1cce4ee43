// The few cryptographic primitives the service needs, from OpenSSL: API keys
// are kept as SHA-256 hashes, callbacks are signed with HMAC-SHA256, job ids
// are random UUIDv4 (Judge0 tokens have this form and clients parse them).
#pragma once

#include <string>
#include <string_view>

namespace ringfence::server {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// Compares without an early exit, so timing does not reveal a matching prefix.
bool constant_time_equal(std::string_view a, std::string_view b);
std::string random_uuid_v4();

}  // namespace ringfence::server
