// The init server's side (see init_server.hpp for why it exists): it waits for
// requests and clones each sandbox's init straight into its new namespaces.
// The clone is a plain fork of this small static process, so a new init costs
// no execve and none of libc's start-up. What every init needs and no run
// changes is made here once and inherited: the decoded plans, the all-clear
// capability state and the scratch buffers (their pages are only populated in
// the init that touches them).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/sched.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "child_common.hpp"
#include "child_init.hpp"
#include "close_fds.hpp"
#include "fd_passing.hpp"
#include "init_entry.hpp"
#include "init_plan.hpp"
#include "init_server_protocol.hpp"
#include "landlock.hpp"
#include "netns_lender.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

using init_server::Reply;
using init_server::Request;

constexpr std::size_t kPathBufferSize = 4096;
char g_message[control::kMaxRunMessage];
char* g_argv[control::kMaxArgs + 1];
char* g_envp[control::kMaxArgs + 1];
char g_path_buffer[kPathBufferSize];

// Decoded plans by their bytes (not by the memfd: a freed inode number can
// come back with other contents). A handful of shapes in practice; the bound
// only keeps a stream of odd shapes from growing the server, and so every fork.
constexpr std::size_t kMaxCachedPlans = 64;
std::map<std::string, InitPlan, std::less<>> g_plans;

bool read_whole(int fd, std::string& out) {
    struct stat st {};
    if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (16 << 20)) return false;
    out.resize(static_cast<std::size_t>(st.st_size));
    for (std::size_t off = 0; off < out.size();) {
        ssize_t n = pread(fd, out.data() + off, out.size() - off, static_cast<off_t>(off));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

// The plan in the request's memfd, decoded once per distinct plan; null when
// it cannot be read or decoded (the init then reports it).
const InitPlan* plan_for(int plan_fd) {
    std::string bytes;
    if (!read_whole(plan_fd, bytes)) return nullptr;
    if (auto found = g_plans.find(bytes); found != g_plans.end()) return &found->second;
    auto decoded = decode_init_plan(bytes);
    if (!decoded) return nullptr;
    if (g_plans.size() >= kMaxCachedPlans) g_plans.clear();
    return &g_plans.emplace(std::move(bytes), std::move(*decoded)).first->second;
}

// The new init, still unmapped in its user namespace.
// `join` holds the cgroup v1 `tasks` files to move into (-1 where none).
[[noreturn]] void become_init(int server_pidfd, const int* fds, const int* join, const InitPlan* init_plan,
                              unsigned init_flags, cap_t no_capabilities) noexcept {
    // Nothing of the server's: its socket, the cgroup fd the clone used, and
    // above all the network namespaces it keeps for other sandboxes.
    close_all_except({server_pidfd, fds[0], fds[1], fds[2], join[0], join[1], join[2]});
    // If the server dies, so does every init it made (and so every sandbox):
    // the server itself leaves when the supervisor goes.
    child::die_with_server(server_pidfd);
    // The server ignores SIGCHLD so the kernel reaps its children; this
    // process waits for its own.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, nullptr);
    // Nothing may happen before the id maps are written: the supervisor writes
    // them, then one byte. End of file means it gave up on this sandbox.
    char byte = 0;
    ssize_t got;
    do got = read(fds[2], &byte, 1);
    while (got < 0 && errno == EINTR);
    if (got != 1) _exit(1);
    close(fds[2]);
    close(fds[1]);

    ChildPlan plan;
    plan.ctl_fd = fds[0];
    plan.server_pidfd = server_pidfd;
    if (!init_plan) child::fail(plan, control::Stage::read_plan, EPROTO, "plan memfd unreadable or malformed");
    if (!no_capabilities) child::fail(plan, control::Stage::program_caps, ENOMEM, "cap_init");
    const InitFlags f = decode_init_flags(init_flags);
    plan.mounts = &init_plan->mounts;
    plan.seccomp = &init_plan->seccomp;
    plan.no_capabilities = no_capabilities;
    plan.root_mode = f.root_mode;
    plan.use_landlock = f.use_landlock;
    plan.allow_network = f.allow_network;
    plan.unshare_cgroup_ns = f.unshare_cgroup_ns;
    plan.message = g_message;
    plan.message_capacity = sizeof(g_message);
    plan.argv = g_argv;
    plan.envp = g_envp;
    plan.path_buffer = g_path_buffer;
    plan.path_buffer_size = sizeof(g_path_buffer);
    // Into the sandbox's cgroup before anything the run is charged for. This
    // process has one thread, so moving the thread moves the process.
    for (int i = 0; i < init_server::kMaxJoinFiles; ++i) {
        if (join[i] < 0) continue;
        ssize_t n;
        do n = write(join[i], "0", 1);
        while (n < 0 && errno == EINTR);
        if (n != 1) child::fail(plan, control::Stage::join_cgroup, n < 0 ? errno : EIO, "tasks");
        close(join[i]);
    }
    run_init(plan);
}

}  // namespace

int serve_init_requests(int sock) noexcept {
    // Every disposition back to default (the service may ignore SIGPIPE, and
    // ignored signals would survive into the program's execve), then SIGCHLD
    // ignored: an init that ends is reaped at once, without a wait here. The
    // mask stays as the supervisor started us: everything blocked.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    if (sigaction(SIGCHLD, &ignore, nullptr) < 0) return 1;
    close_all_except({sock});
    // Hold nothing of the caller's: its stdout kept open here would keep a
    // reader of that pipe waiting after the caller has ended.
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) return 1;
    for (int fd = 0; fd < 3; ++fd)
        if (dup2(devnull, fd) < 0) return 1;
    close(devnull);
    // Each init watches this until its parent-death signal is armed for good.
    const int self_pidfd = sys::pidfd_open(getpid());
    if (self_pidfd < 0) return 1;
    const cap_t no_capabilities = cap_init();  // an all-clear state
    (void)landlock::abi_version();              // cached here, so no init asks again

    NetnsLender netns;
    netns.start();

    const init_server::Hello hello{init_server::kHelloMagic};
    if (send_with_fd(sock, &hello, sizeof(hello), -1) < 0) return 1;
    std::vector<pollfd> waiting;
    for (;;) {
        // Namespaces come back before the next request is read: a sandbox
        // that was torn down before it was asked for lends its namespace on.
        waiting.assign(1, pollfd{sock, POLLIN, 0});
        netns.add_poll_fds(waiting);
        if (poll(waiting.data(), waiting.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        netns.collect(waiting.data() + 1, waiting.size() - 1);
        if (waiting[0].revents == 0) continue;

        Request req{};
        constexpr std::size_t kMaxFds = init_server::kRequestFds + init_server::kMaxJoinFiles;
        int fds[kMaxFds] = {-1, -1, -1, -1, -1, -1};
        std::size_t nfds = 0;
        ssize_t n = receive_with_fds(sock, &req, sizeof(req), fds, kMaxFds, &nfds);
        if (n == 0) return 0;  // the supervisor is gone
        if (n < 0) {
            if (errno == EMSGSIZE) continue;  // nothing was kept; the sender sees no reply and fails
            return 1;
        }
        Reply reply{};
        int pidfd = -1;
        const std::size_t expected = init_server::kRequestFds + (req.into_cgroup ? 1 : 0) + req.join_files;
        int join[init_server::kMaxJoinFiles] = {-1, -1, -1};
        for (std::uint32_t i = 0; i < req.join_files && i < init_server::kMaxJoinFiles; ++i)
            join[i] = fds[init_server::kRequestFds + i];
        if (n != static_cast<ssize_t>(sizeof(req)) || nfds != expected ||
            req.join_files > init_server::kMaxJoinFiles || (req.into_cgroup && req.join_files) ||
            (req.namespace_flags & ~init_server::kAllowedNamespaceFlags) != 0 ||
            (req.namespace_flags & init_server::kRequiredNamespaceFlags) != init_server::kRequiredNamespaceFlags) {
            reply.error = EPROTO;
        } else {
            const InitPlan* plan = plan_for(fds[1]);
            clone_args args{};
            args.flags = req.namespace_flags | CLONE_PIDFD;
            args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
            args.exit_signal = SIGCHLD;
            if (req.into_cgroup) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = static_cast<std::uint64_t>(fds[init_server::kRequestFds]);
            }
            int lent_netns = -1;
            if ((req.namespace_flags & CLONE_NEWNET) && req.may_reuse_netns) {
                lent_netns = netns.enter_free();
                if (lent_netns >= 0) args.flags &= ~static_cast<std::uint64_t>(CLONE_NEWNET);
            } else if (!(req.namespace_flags & CLONE_NEWNET) && !netns.enter_host()) {
                reply.error = errno;
            }
            long pid = reply.error ? -1 : syscall(SYS_clone3, &args, sizeof(args));
            if (pid == 0) become_init(self_pidfd, fds, join, plan, req.init_flags, no_capabilities);
            if (pid < 0 && !reply.error) reply.error = errno;
            if (pid > 0) reply.pid = pid;
            if (lent_netns >= 0) {
                const int held = pid > 0 ? fcntl(pidfd, F_DUPFD_CLOEXEC, 3) : -1;
                if (held >= 0) netns.lend(lent_netns, held);
                else if (pid <= 0) netns.keep(lent_netns);
                else netns.forget(lent_netns);  // in use, and its end cannot be watched: never lent again
            }
        }
        for (std::size_t i = 0; i < nfds; ++i) close(fds[i]);
        int sent = send_with_fd(sock, &reply, sizeof(reply), pidfd);
        if (pidfd >= 0) close(pidfd);
        if (sent < 0) return 1;
    }
}

}  // namespace ringfence
