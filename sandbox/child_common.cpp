#include "child_common.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "fd_passing.hpp"

namespace ringfence::child {

std::int64_t monotonic_ns() noexcept {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

void die_with_server(int server_pidfd) noexcept {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Armed now; had the server died before, no signal would ever come.
    pollfd p{server_pidfd, POLLIN, 0};
    if (server_pidfd < 0 || poll(&p, 1, 0) != 0) _exit(1);
}

void fail(const ChildPlan& plan, control::Stage stage, int err, const char* detail) noexcept {
    control::ErrorMsg m{};
    m.header = {control::Type::error, sizeof(m)};
    m.stage = stage;
    m.sys_errno = err;
    std::size_t i = 0;
    for (; detail && detail[i] && i + 1 < sizeof(m.detail); ++i) m.detail[i] = detail[i];
    m.detail[i] = '\0';
    send_with_fd(plan.ctl_fd, &m, sizeof(m), -1);
    _exit(127);
}

bool receive_run(ChildPlan& plan, int sock, bool with_binds, RunRequest& req) noexcept {
    static_assert(control::kMaxBinds + 3 <= kMaxPassedFds);
    std::size_t nfds = 0;
    ssize_t n = receive_with_fds(sock, plan.message, plan.message_capacity, req.fds, control::kMaxBinds + 3, &nfds);
    if (n == 0 || (n < 0 && errno != EMSGSIZE)) _exit(0);
    if (n < 0 || static_cast<std::size_t>(n) < sizeof(control::RunMsg)) return false;
    req.nfds = static_cast<int>(nfds);
    auto* msg = reinterpret_cast<control::RunMsg*>(plan.message);
    const int expected_fds = 3 + (with_binds ? static_cast<int>(msg->nbinds) : 0);
    if (msg->header.type != control::Type::run || msg->header.size != n || msg->argc == 0 ||
        msg->argc > control::kMaxArgs || msg->envc > control::kMaxArgs ||
        msg->nbinds > control::kMaxBinds || msg->nrlimits > control::kMaxRlimits || req.nfds != expected_fds)
        return false;
    // Split the NUL-separated strings that follow the fixed part.
    const char* p = plan.message + sizeof(control::RunMsg);
    const char* end = plan.message + n;
    auto next = [&]() -> const char* {
        const char* s = p;
        while (p < end && *p) ++p;
        if (p >= end) return nullptr;
        ++p;
        return s;
    };
    for (std::uint32_t i = 0; i < msg->argc; ++i)
        if (!(plan.argv[i] = const_cast<char*>(next()))) return false;
    plan.argv[msg->argc] = nullptr;
    for (std::uint32_t i = 0; i < msg->envc; ++i)
        if (!(plan.envp[i] = const_cast<char*>(next()))) return false;
    plan.envp[msg->envc] = nullptr;
    if (!(req.cwd = next())) return false;
    for (std::uint32_t i = 0; i < msg->nbinds; ++i)
        if (!(req.bind_targets[i] = next()) || req.bind_targets[i][0] != '/') return false;
    req.msg = msg;
    req.size = static_cast<std::size_t>(n);
    return true;
}

}  // namespace ringfence::child
