// Errors are values: every failure carries a kind the caller can act on, so a
// service can tell "our setup failed" from "the user's program misbehaved".
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ringfence {

enum class ErrorKind {
    setup,     // the sandbox could not be built (host, permissions, kernel)
    input,     // the caller asked for something invalid (bad option, unknown profile)
    internal,  // a bug or an invariant broken inside Ringfence
};

const char* to_string(ErrorKind kind) noexcept;

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string message;
    int sys_errno = 0;  // 0 when no system call was involved

    // "message: strerror(errno)" when an errno is present.
    std::string describe() const;
};

Error setup_error(std::string message, int sys_errno = 0);
Error input_error(std::string message);
Error internal_error(std::string message, int sys_errno = 0);

// A minimal expected<T, Error>: C++20 has no std::expected yet.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }

    const Error& error() const& { return std::get<1>(state_); }
    Error&& error() && { return std::get<1>(std::move(state_)); }

private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace ringfence
