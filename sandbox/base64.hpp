// Base64 (RFC 4648, standard alphabet), the one implementation every layer
// uses: the VM protocol (strict), job JSON (tolerant of wrapped lines and
// missing padding) and Judge0's API (as lenient as Ruby's decode64 about the
// last bits). Encoding always writes padded, unwrapped text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ringfence {

struct Base64Rules {
    bool skip_whitespace = false;       // line breaks and blanks anywhere (clients wrap at 60 or 76)
    bool padding_optional = false;      // "YQ" as well as "YQ=="
    bool ignore_trailing_bits = false;  // "YR==" reads as "a", as Ruby's decode64 reads it
};
inline constexpr Base64Rules kBase64Strict{};
inline constexpr Base64Rules kBase64Tolerant{true, true, false};
inline constexpr Base64Rules kBase64Lenient{true, true, true};

struct Base64Error {
    std::size_t offset = 0;  // byte offset in the encoded text
    std::string problem;
};

std::string base64_encode(std::string_view bytes);
// The decoded bytes, or nullopt with the first problem in `error` (when given).
std::optional<std::string> base64_decode(std::string_view text, const Base64Rules& rules = kBase64Strict,
                                         Base64Error* error = nullptr);

}  // namespace ringfence
