// Standard base64 (RFC 4648, padded): binary data (stdin, files, output)
// crosses the VM boundary inside JSON strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ringfence::vm {

std::string base64_encode(std::string_view bytes);
// nullopt on any character outside the alphabet, bad padding or bad length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ringfence::vm
