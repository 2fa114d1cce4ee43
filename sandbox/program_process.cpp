// The program process: everything that confines the program and does not depend
// on the run happens here, while the sandbox is prepared (off the run's
// critical path): a new session, the capability bounding set and securebits,
// the sandbox uid, no capabilities (checked), no_new_privs and the seccomp
// filter, whose notification fd goes to the supervisor. The run then costs
// stdio, working directory, rlimits, Landlock and execve.
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "child_common.hpp"
#include "close_fds.hpp"
#include "fd_passing.hpp"
#include "landlock.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

using control::Stage;

void confine(ChildPlan& plan, int supervisor_end) noexcept {
    // A new session: no controlling terminal, so no TIOCSTI against the caller's.
    RINGFENCE_CHECK_OR_FAIL(setsid(), Stage::setsid, "setsid");
    // The bounding set and securebits need CAP_SETPCAP: before the uid change.
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
        if (cap_drop_bound(static_cast<cap_value_t>(cap)) < 0 && errno != EINVAL)
            child::fail(plan, Stage::program_caps, errno, "bounding set");
    const unsigned secbits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
                             SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                             SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    RINGFENCE_CHECK_OR_FAIL(cap_set_secbits(secbits), Stage::program_caps, "securebits");
    // One call: libcap's cap_reset_ambient() asks about every capability first.
    RINGFENCE_CHECK_OR_FAIL(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), Stage::program_caps,
                            "ambient set");
    if (plan.root_mode) {
        RINGFENCE_CHECK_OR_FAIL(sys::set_gid(kSandboxGid), Stage::program_ids, "setresgid");
        RINGFENCE_CHECK_OR_FAIL(sys::set_uid(kSandboxUid), Stage::program_ids, "setresuid");
    }
    RINGFENCE_CHECK_OR_FAIL(cap_set_proc(plan.no_capabilities), Stage::program_caps, "capset");
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    RINGFENCE_CHECK_OR_FAIL(syscall(SYS_capget, &hdr, data), Stage::program_caps, "capget");
    for (const auto& d : data)
        if (d.effective || d.permitted || d.inheritable)
            child::fail(plan, Stage::program_caps, EPERM, "capabilities survived");
    RINGFENCE_CHECK_OR_FAIL(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), Stage::program_no_new_privs, "prctl");

    // Seccomp last; from here on only the allowlist and what reaching execve
    // needs work. The notification fd goes to the supervisor now, long before
    // the program can make a forbidden call.
    sock_fprog prog{static_cast<unsigned short>(plan.seccomp->instructions.size()),
                    const_cast<sock_filter*>(plan.seccomp->instructions.data())};
    int listener = sys::seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (listener < 0) child::fail(plan, Stage::program_seccomp, errno, "install");
    control::SimpleMsg m{{control::Type::listener, sizeof(m)}};
    const int handed[2] = {listener, supervisor_end};
    if (send_with_fds(plan.ctl_fd, &m, sizeof(m), handed, 2) < 0)
        child::fail(plan, Stage::program_seccomp, errno, "hand over the listener");
    close(listener);
    close(supervisor_end);
}

// A run without binds needs nothing of the init, so the supervisor sends it
// here directly (one wake-up less); a run with binds comes through the init,
// which mounts them first.
void receive_request(ChildPlan& plan, int init_sock, int direct_sock, child::RunRequest& req) noexcept {
    pollfd fds[2] = {{init_sock, POLLIN, 0}, {direct_sock, POLLIN, 0}};
    while (poll(fds, 2, -1) < 0)
        if (errno != EINTR) child::fail(plan, Stage::receive_run, errno, "poll");
    const bool direct = (fds[1].revents & POLLIN) != 0;
    if (!child::receive_run(plan, direct ? direct_sock : init_sock, false, req))
        child::fail(plan, Stage::receive_run, EPROTO, "malformed run request");
    if (direct) req.msg->received_ns = child::monotonic_ns();
}

void exec_program(ChildPlan& plan) noexcept {
    char** argv = plan.argv;
    char** envp = plan.envp;
    if (std::strchr(argv[0], '/')) {
        execve(argv[0], argv, envp);
        return;
    }
    const char* path = "/usr/local/bin:/usr/bin:/bin";
    for (char** e = envp; *e; ++e)
        if (std::strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    int first_error = ENOENT;
    const std::size_t name_len = std::strlen(argv[0]);
    char* buf = plan.path_buffer;
    for (const char* dir = path; *dir;) {
        const char* colon = std::strchr(dir, ':');
        std::size_t dir_len = colon ? static_cast<std::size_t>(colon - dir) : std::strlen(dir);
        if (dir_len > 0 && dir_len + name_len + 2 <= plan.path_buffer_size) {
            std::memcpy(buf, dir, dir_len);
            buf[dir_len] = '/';
            std::memcpy(buf + dir_len + 1, argv[0], name_len + 1);
            execve(buf, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR) first_error = errno;
        }
        if (!colon) break;
        dir = colon + 1;
    }
    errno = first_error;
}

}  // namespace

void run_program_process(ChildPlan& plan, int init_sock, int landlock_fd) noexcept {
    int direct[2];
    RINGFENCE_CHECK_OR_FAIL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, direct), Stage::spawn,
                            "socketpair");
    confine(plan, direct[0]);
    close_all_except({plan.ctl_fd, init_sock, landlock_fd, direct[1]});

    child::RunRequest req;
    receive_request(plan, init_sock, direct[1], req);
    const std::int64_t entered_ns = child::monotonic_ns();
    for (int i = 0; i < 3; ++i)
        RINGFENCE_CHECK_OR_FAIL(dup2(req.fds[i], i), Stage::program_stdio, "dup2");
    close_all_except({plan.ctl_fd, landlock_fd, direct[1]});
    RINGFENCE_CHECK_OR_FAIL(chdir(req.cwd), Stage::program_cwd, req.cwd);
    for (std::uint32_t i = 0; i < req.msg->nrlimits; ++i) {
        const auto& r = req.msg->rlimits[i];
        rlimit lim{r.soft, r.hard};
        RINGFENCE_CHECK_OR_FAIL(setrlimit(static_cast<__rlimit_resource_t>(r.resource), &lim),
                                Stage::program_rlimit, "setrlimit");
    }
    if (landlock_fd >= 0) {
        int rc = landlock::restrict_self(landlock_fd);
        if (rc < 0) child::fail(plan, Stage::program_landlock, -rc, "restrict_self");
        close(landlock_fd);
    }
    // Timings only: they go where the supervisor does not listen during the
    // run and reads them once it is over, so no run pays a wake-up for them.
    // The socket closes on execve.
    control::StartedMsg started{{control::Type::started, sizeof(started)}, req.msg->received_ns, entered_ns,
                                child::monotonic_ns()};
    send_with_fd(direct[1], &started, sizeof(started), -1);
    exec_program(plan);
    child::fail(plan, Stage::program_exec, errno, plan.argv[0]);
}

}  // namespace ringfence
