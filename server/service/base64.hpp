// Base64 as Judge0 speaks it: Ruby's Base64.encode64 wraps every 60 output
// characters with "\n" and ends with "\n"; decoding is lenient (whitespace and
// missing padding accepted), like Ruby's decode64.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ringfence::server {

// Unwrapped standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);
// Ruby Base64.encode64: lines of 60 characters, each ending in "\n"; "" for "".
std::string base64_encode_wrapped(std::string_view bytes);
// Skips whitespace; accepts missing padding; nullopt on any other non-alphabet
// character or an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

bool is_valid_utf8(std::string_view text);

}  // namespace ringfence::server
