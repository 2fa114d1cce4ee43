// Pieces shared by the sandbox's init and the program process it forks, both in
// the init executable. Past setup they allocate nothing: buffers are in the plan.
#pragma once

#include <cstddef>
#include <cstdint>

#include "child_init.hpp"
#include "control_protocol.hpp"

namespace ringfence::child {

std::int64_t monotonic_ns() noexcept;

// Makes this process die with the init server, hence with the supervisor
// (the server leaves when the supervisor does). Exits at once if the server
// is already gone: `server_pidfd` tells. Any change of ids clears the
// parent-death signal, so this is called again after one.
void die_with_server(int server_pidfd) noexcept;

// Reports a failed step to the supervisor and exits.
[[noreturn]] void fail(const ChildPlan& plan, control::Stage stage, int err, const char* detail) noexcept;

#define RINGFENCE_CHECK_OR_FAIL(expr, stage, detail)                    \
    do {                                                                \
        if ((expr) < 0) ::ringfence::child::fail(plan, (stage), errno, (detail)); \
    } while (0)

// A run request, parsed in place in plan.message.
struct RunRequest {
    control::RunMsg* msg = nullptr;
    int fds[control::kMaxBinds + 3];
    int nfds = 0;
    const char* cwd = nullptr;
    const char* bind_targets[control::kMaxBinds];
    std::size_t size = 0;  // bytes received
};

// Receives a run request on `sock`: stdin, stdout, stderr and, when
// `with_binds`, one detached mount per bind. False when malformed; exits
// quietly when the peer is gone (the sandbox was never used).
bool receive_run(ChildPlan& plan, int sock, bool with_binds, RunRequest& req) noexcept;

}  // namespace ringfence::child
