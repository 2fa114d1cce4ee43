#include "init_server.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <linux/sched.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "fd_passing.hpp"
#include "init_clone.hpp"
#include "init_server_protocol.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

constexpr int kStartTimeoutMs = 15'000;

// Waits until `sock` has a message or `pidfd`'s process has ended. False when
// it ended (or the wait failed); errno is ETIMEDOUT after `timeout_ms`.
bool wait_readable(int sock, int pidfd, int timeout_ms) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {pidfd, POLLIN, 0}};
    for (;;) {
        int n = poll(fds, 2, timeout_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = ETIMEDOUT;
        if (n <= 0) return false;
        // A message that was sent just before the end still counts.
        return (fds[0].revents & POLLIN) != 0;
    }
}

}  // namespace

InitServer::~InitServer() {
    std::lock_guard lock(mutex_);
    stop_locked();
}

void InitServer::stop_locked() {
    sock_.reset();  // the server reads end of file and leaves
    if (!server_pidfd_) return;
    sys::reap_pidfd(server_pidfd_.get());
    server_pidfd_.reset();
}

Result<void> InitServer::start_locked() {
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return setup_error("socketpair for the init server", errno);
    UniqueFd ours(sp[0]), theirs(sp[1]);
    auto stack = InitStack::allocate();
    if (!stack) return stack.error();

    std::string args_text[3] = {"ringfence-init", "serve", std::to_string(theirs.get())};
    char* argv[4] = {args_text[0].data(), args_text[1].data(), args_text[2].data(), nullptr};
    // No restartable-sequences area: nothing here uses one, and the kernel
    // would otherwise update it on every return to user space of every init and
    // program process forked from the server, until the program's execve.
    std::string tunables = "GLIBC_TUNABLES=glibc.pthread.rseq=0";
    char* envp[2] = {tunables.data(), nullptr};
    InitExec exec;
    exec.image_fd = image_.get();
    exec.inherit_fds[0] = theirs.get();
    exec.argv = argv;
    exec.envp = envp;
    clone_args args{};
    int pidfd = -1;
    args.flags = CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
    args.exit_signal = 0;  // reaped through its pidfd; no SIGCHLD to interrupt anyone
    long pid = clone_init(args, *stack, exec);
    if (pid < 0) return setup_error("starting the init server", errno);
    UniqueFd server(pidfd);
    theirs.reset();

    // Until it says hello it may still be running on `stack` and reading `exec`.
    init_server::Hello hello{};
    bool ok = wait_readable(ours.get(), server.get(), kStartTimeoutMs);
    int wait_errno = errno;
    ssize_t n = ok ? recv(ours.get(), &hello, sizeof(hello), 0) : -1;
    if (n != static_cast<ssize_t>(sizeof(hello)) || hello.magic != init_server::kHelloMagic) {
        sys::pidfd_send_signal(server.get(), SIGKILL);  // a no-op when it has ended already
        const siginfo_t info = sys::reap_pidfd(server.get());
        if (int err = exec.failed_errno.load(std::memory_order_acquire))
            return setup_error("executing the sandbox init", err);
        if (wait_errno == ETIMEDOUT) return setup_error("the init server did not start in time");
        return setup_error("the init server ended at start (exit status " + std::to_string(info.si_status) + ")");
    }
    sock_ = std::move(ours);
    server_pidfd_ = std::move(server);
    return {};
}

static_assert(std::tuple_size_v<decltype(InitServer::Request::join_fds)> == init_server::kMaxJoinFiles,
              "an init request carries at most one join file per cgroup v1 hierarchy");

Result<InitServer::Init> InitServer::ask_locked(const Request& request, bool& server_gone) {
    server_gone = false;
    init_server::Request msg{};
    msg.namespace_flags = request.namespace_flags;
    msg.init_flags = request.init_flags;
    msg.into_cgroup = request.cgroup_fd >= 0 ? 1 : 0;
    msg.may_reuse_netns = request.may_reuse_netns ? 1 : 0;
    int fds[init_server::kRequestFds + init_server::kMaxJoinFiles] = {request.ctl_fd, request.plan_fd,
                                                                      request.sync_fd};
    std::size_t nfds = init_server::kRequestFds;
    if (msg.into_cgroup) fds[nfds++] = request.cgroup_fd;
    for (int fd : request.join_fds)
        if (fd >= 0) {  // the server refuses these beside cgroup_fd
            fds[nfds++] = fd;
            ++msg.join_files;
        }
    if (send_with_fds(sock_.get(), &msg, sizeof(msg), fds, nfds) < 0) {
        server_gone = errno == EPIPE || errno == ECONNRESET;
        return setup_error("asking the init server for a sandbox init", errno);
    }
    if (!wait_readable(sock_.get(), server_pidfd_.get(), -1)) {
        server_gone = true;
        return setup_error("the init server ended", ECHILD);
    }
    init_server::Reply reply{};
    int pidfd = -1;
    ssize_t n = receive_with_fd(sock_.get(), &reply, sizeof(reply), &pidfd);
    UniqueFd init_pidfd(pidfd);
    if (n == 0) {
        server_gone = true;
        return setup_error("the init server ended", ECHILD);
    }
    if (n != static_cast<ssize_t>(sizeof(reply)))
        return setup_error("reading the init server's reply", n < 0 ? errno : EPROTO);
    if (reply.error != 0) return setup_error("clone3 with new namespaces", reply.error);
    if (!init_pidfd || reply.pid <= 0) return setup_error("the init server's reply has no pidfd", EPROTO);
    return Init{static_cast<pid_t>(reply.pid), std::move(init_pidfd)};
}

Result<InitServer::Init> InitServer::spawn(const Request& request) {
    std::lock_guard lock(mutex_);
    for (int attempt = 0;; ++attempt) {
        if (!sock_)
            if (auto r = start_locked(); !r) return r.error();
        bool server_gone = false;
        auto init = ask_locked(request, server_gone);
        if (init || !server_gone || attempt > 0) return init;
        stop_locked();  // it died (killed from outside?): one fresh start
    }
}

}  // namespace ringfence
