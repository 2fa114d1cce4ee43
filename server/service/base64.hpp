// Base64 as Judge0 speaks it: Ruby's Base64.encode64 wraps every 60 output
// characters with "\n" and ends with "\n"; decoding is lenient (whitespace,
// missing padding and stray trailing bits accepted), like Ruby's decode64.
// The codec itself is the shared one (sandbox/base64.hpp).
#pragma once

#include <base64.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ringfence::server {

// Ruby Base64.encode64: lines of 60 characters, each ending in "\n"; "" for "".
std::string base64_encode_wrapped(std::string_view bytes);
using ringfence::base64_encode;
// Judge0's and Piston's decoding: nullopt on a non-alphabet character (other
// than whitespace) or an impossible length.
inline std::optional<std::string> base64_decode_lenient(std::string_view text) {
    return ringfence::base64_decode(text, kBase64Lenient);
}

bool is_valid_utf8(std::string_view text);

}  // namespace ringfence::server
