#include "ringfence/error.hpp"

#include <cstring>

namespace ringfence {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::setup: return "setup";
        case ErrorKind::input: return "input";
        case ErrorKind::internal: return "internal";
    }
    return "internal";
}

std::string Error::describe() const {
    if (sys_errno == 0) return message;
    return message + ": " + std::strerror(sys_errno);
}

Error setup_error(std::string message, int sys_errno) {
    return Error{ErrorKind::setup, std::move(message), sys_errno};
}

Error input_error(std::string message) { return Error{ErrorKind::input, std::move(message), 0}; }

Error internal_error(std::string message, int sys_errno) {
    return Error{ErrorKind::internal, std::move(message), sys_errno};
}

}  // namespace ringfence
