// SHA-256 (OpenSSL) of whole files, read through an fd so that what was
// hashed is exactly the file that is used afterwards.
#pragma once

#include <string>
#include <string_view>

#include "ringfence/error.hpp"

namespace ringfence::vm {

// Lower-case hex digest of everything readable from `fd`, from offset 0.
Result<std::string> sha256_fd(int fd);
std::string sha256_hex(std::string_view data);

}  // namespace ringfence::vm
