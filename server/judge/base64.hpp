// Base64 (RFC 4648, standard alphabet) for job contents. Decoding accepts
// line breaks and other whitespace anywhere (Judge0 clients wrap at 60 or 76
// columns) and missing trailing padding; anything else is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringfence::judge {

struct Base64Error {
    std::size_t offset = 0;  // byte offset in the encoded text
    std::string problem;
};

// Decoded bytes, or the first problem found.
std::optional<std::string> base64_decode(std::string_view text, Base64Error* error = nullptr);
std::string base64_encode(std::string_view bytes);

}  // namespace ringfence::judge
