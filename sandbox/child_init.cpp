#include "child_init.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <initializer_list>

#include "close_fds.hpp"
#include "control_protocol.hpp"
#include "fd_passing.hpp"
#include "landlock.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

using control::Stage;

// --- messages, no allocation -------------------------------------------------

void copy_detail(char* dst, std::size_t cap, const char* src) {
    std::size_t i = 0;
    for (; src && src[i] && i + 1 < cap; ++i) dst[i] = src[i];
    dst[i] = '\0';
}

std::int64_t monotonic_ns() {
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}


[[noreturn]] void fail(const ChildPlan& plan, Stage stage, int err, const char* detail) {
    control::ErrorMsg m{};
    m.header = {control::Type::error, sizeof(m)};
    m.stage = stage;
    m.sys_errno = err;
    copy_detail(m.detail, sizeof(m.detail), detail);
    send_with_fd(plan.ctl_fd, &m, sizeof(m), -1);
    _exit(1);
}

#define CHECK_OR_FAIL(expr, stage, detail)                 \
    do {                                                   \
        if ((expr) < 0) fail(plan, (stage), errno, (detail)); \
    } while (0)

// --- filesystem --------------------------------------------------------------

int write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return 0;
}

int create_file(const char* path, unsigned mode, const char* content, std::size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    int rc = write_all(fd, content, size);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int set_attr(const char* path, std::uint64_t attr_set, bool recursive) {
    mount_attr attr{};
    attr.attr_set = attr_set;
    return sys::mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr);
}

void apply_mount_plan(const ChildPlan& plan) {
    for (const MountOp& op : plan.mounts->ops) {
        const char* path = op.path.c_str();
        switch (op.kind) {
            case MountOp::Kind::make_dir:
                if (mkdir(path, op.mode) < 0 && errno != EEXIST) fail(plan, Stage::make_dir, errno, path);
                break;
            case MountOp::Kind::make_file:
                CHECK_OR_FAIL(create_file(path, op.mode, "", 0), Stage::make_file, path);
                break;
            case MountOp::Kind::symlink:
                CHECK_OR_FAIL(symlink(op.source.c_str(), path), Stage::make_symlink, path);
                break;
            case MountOp::Kind::write_file:
                CHECK_OR_FAIL(create_file(path, op.mode, op.source.data(), op.source.size()),
                              Stage::write_file, path);
                break;
            case MountOp::Kind::bind:
                CHECK_OR_FAIL(mount(op.source.c_str(), path, nullptr, MS_BIND | MS_REC, nullptr),
                              Stage::mount_bind, op.source.c_str());
                break;
            case MountOp::Kind::tmpfs:
                CHECK_OR_FAIL(mount("tmpfs", path, "tmpfs", op.flags, op.source.c_str()),
                              Stage::mount_tmpfs, path);
                break;
            case MountOp::Kind::proc:
                CHECK_OR_FAIL(mount("proc", path, "proc", op.flags, op.source.c_str()),
                              Stage::mount_proc, path);
                break;
            case MountOp::Kind::set_attr:
                CHECK_OR_FAIL(set_attr(path, op.attr_set, op.recursive), Stage::mount_attr, path);
                break;
        }
    }
}

void enter_new_root(const ChildPlan& plan) {
    const char* staging = plan.mounts->staging.c_str();
    CHECK_OR_FAIL(chdir(staging), Stage::pivot_root, staging);
    // pivot_root(".", ".") stacks the old root under the new one; detaching it
    // leaves nothing of the host reachable (the trick documented in pivot_root(2)).
    CHECK_OR_FAIL(sys::pivot_root(".", "."), Stage::pivot_root, staging);
    CHECK_OR_FAIL(umount2(".", MNT_DETACH), Stage::pivot_root, "old root");
    CHECK_OR_FAIL(chdir("/"), Stage::pivot_root, "/");
}

// mkdir -p for a claim-time mount point; the last component becomes a file
// when the thing mounted there is not a directory.
int make_mount_point(const ChildPlan& plan, const char* target, bool directory) {
    std::size_t len = std::strlen(target);
    if (len + 1 > plan.path_buffer_size || target[0] != '/') {
        errno = ENAMETOOLONG;
        return -1;
    }
    char* buf = plan.path_buffer;
    std::memcpy(buf, target, len + 1);
    for (std::size_t i = 1; i < len; ++i) {
        if (buf[i] != '/') continue;
        buf[i] = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        buf[i] = '/';
    }
    if (directory) return (mkdir(buf, 0755) < 0 && errno != EEXIST) ? -1 : 0;
    int fd = open(buf, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

// --- the run request -----------------------------------------------------------

struct RunRequest {
    const control::RunMsg* msg = nullptr;
    int fds[control::kMaxBinds + 3];
    int nfds = 0;
    const char* cwd = nullptr;
    const char* bind_targets[control::kMaxBinds];
};

bool receive_run(ChildPlan& plan, RunRequest& req) {
    iovec iov{plan.message, plan.message_capacity};
    alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int) * (control::kMaxBinds + 3))];
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    ssize_t n;
    do n = recvmsg(plan.ctl_fd, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0) _exit(0);  // the supervisor went away before using this sandbox
    if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || static_cast<std::size_t>(n) < sizeof(control::RunMsg))
        return false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            std::memcpy(req.fds, CMSG_DATA(c), sizeof(int) * static_cast<std::size_t>(count));
            req.nfds = count;
        }
    auto* msg = reinterpret_cast<const control::RunMsg*>(plan.message);
    if (msg->header.type != control::Type::run || msg->header.size != n || msg->argc == 0 ||
        msg->argc > control::kMaxArgs || msg->envc > control::kMaxArgs ||
        msg->nbinds > control::kMaxBinds || msg->nrlimits > control::kMaxRlimits ||
        req.nfds != static_cast<int>(3 + msg->nbinds))
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
    return true;
}

void apply_claim_binds(const ChildPlan& plan, const RunRequest& req, int landlock_fd) {
    for (std::uint32_t i = 0; i < req.msg->nbinds; ++i) {
        int fd = req.fds[3 + i];
        const char* target = req.bind_targets[i];
        struct stat st {};
        CHECK_OR_FAIL(fstat(fd, &st), Stage::claim_bind, target);
        CHECK_OR_FAIL(make_mount_point(plan, target, S_ISDIR(st.st_mode)), Stage::claim_bind, target);
        CHECK_OR_FAIL(sys::move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH),
                      Stage::claim_bind, target);
        bool writable = i < 32 ? (req.msg->bind_writable_mask_lo >> i) & 1
                               : (req.msg->bind_writable_mask_hi >> (i - 32)) & 1;
        std::uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY);
        CHECK_OR_FAIL(set_attr(target, attrs, true), Stage::claim_bind, target);
        if (writable && landlock_fd >= 0) {
            int rc = landlock::allow_writes_beneath(landlock_fd, target);
            if (rc < 0) fail(plan, Stage::landlock, -rc, target);
        }
        close(fd);
    }
}

// --- the program -----------------------------------------------------------------

struct ProgramArgs {
    ChildPlan* plan;
    const RunRequest* req;
    int landlock_fd;
};

#define PROGRAM_FAIL(stage_value)                                   \
    do {                                                            \
        args->plan->program_errno = errno;                          \
        args->plan->program_stage = static_cast<int>(stage_value);  \
        _exit(127);                                                 \
    } while (0)

void exec_program(ProgramArgs* args) {
    char** argv = args->plan->argv;
    char** envp = args->plan->envp;
    if (std::strchr(argv[0], '/')) {
        execve(argv[0], argv, envp);
        return;
    }
    const char* path = "/usr/local/bin:/usr/bin:/bin";
    for (char** e = envp; *e; ++e)
        if (std::strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
    int first_error = ENOENT;
    std::size_t name_len = std::strlen(argv[0]);
    char* buf = args->plan->path_buffer;
    for (const char* dir = path; *dir;) {
        const char* colon = std::strchr(dir, ':');
        std::size_t dir_len = colon ? static_cast<std::size_t>(colon - dir) : std::strlen(dir);
        if (dir_len > 0 && dir_len + name_len + 2 <= args->plan->path_buffer_size) {
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

int program_main(void* raw) {
    auto* args = static_cast<ProgramArgs*>(raw);
    args->plan->program_entered_ns = monotonic_ns();
    const RunRequest& req = *args->req;
    const ChildPlan& plan = *args->plan;

    // A new session: no controlling terminal, so no TIOCSTI against the caller's.
    if (setsid() < 0) PROGRAM_FAIL(Stage::setsid);
    for (int i = 0; i < 3; ++i)
        if (dup2(req.fds[i], i) < 0) PROGRAM_FAIL(Stage::program_stdio);
    close_all_except({plan.ctl_fd, args->landlock_fd});
    if (chdir(req.cwd) < 0) PROGRAM_FAIL(Stage::program_cwd);
    for (std::uint32_t i = 0; i < req.msg->nrlimits; ++i) {
        const auto& r = req.msg->rlimits[i];
        rlimit lim{r.soft, r.hard};
        if (setrlimit(static_cast<__rlimit_resource_t>(r.resource), &lim) < 0)
            PROGRAM_FAIL(Stage::program_rlimit);
    }

    // Capabilities: the bounding set and securebits need CAP_SETPCAP, so they go
    // before the uid change; then every set is cleared and checked.
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap)
        if (cap_drop_bound(static_cast<cap_value_t>(cap)) < 0 && errno != EINVAL)
            PROGRAM_FAIL(Stage::program_caps);
    const unsigned secbits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
                             SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
                             SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (cap_set_secbits(secbits) < 0) PROGRAM_FAIL(Stage::program_caps);
    if (cap_reset_ambient() < 0) PROGRAM_FAIL(Stage::program_caps);
    if (plan.root_mode) {
        if (sys::set_gid(kSandboxGid) < 0) PROGRAM_FAIL(Stage::program_ids);
        if (sys::set_uid(kSandboxUid) < 0) PROGRAM_FAIL(Stage::program_ids);
    }
    if (cap_set_proc(plan.no_capabilities) < 0) PROGRAM_FAIL(Stage::program_caps);
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (syscall(SYS_capget, &hdr, data) < 0) PROGRAM_FAIL(Stage::program_caps);
    for (const auto& d : data)
        if (d.effective || d.permitted || d.inheritable) {
            errno = EPERM;
            PROGRAM_FAIL(Stage::program_caps);
        }

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) PROGRAM_FAIL(Stage::program_no_new_privs);
    if (args->landlock_fd >= 0) {
        int rc = landlock::restrict_self(args->landlock_fd);
        if (rc < 0) {
            errno = -rc;
            PROGRAM_FAIL(Stage::program_landlock);
        }
        close(args->landlock_fd);
    }

    // Seccomp last: from here on only the allowlist (plus what reaching execve
    // needs) works, and anything else waits for the supervisor, who now gets the
    // notification fd.
    sock_fprog prog{static_cast<unsigned short>(plan.seccomp->instructions.size()),
                    const_cast<sock_filter*>(plan.seccomp->instructions.data())};
    int listener = sys::seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (listener < 0) PROGRAM_FAIL(Stage::program_seccomp);
    control::SimpleMsg m{{control::Type::listener, sizeof(m)}};
    if (send_with_fd(plan.ctl_fd, &m, sizeof(m), listener) < 0) PROGRAM_FAIL(Stage::program_seccomp);
    close(listener);
    close(plan.ctl_fd);

    args->plan->program_confined_ns = monotonic_ns();
    exec_program(args);
    PROGRAM_FAIL(Stage::program_exec);
}

}  // namespace

void run_init(ChildPlan& plan) noexcept {
    // Die with the thread that created us, whatever happens to the supervisor.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may be serving other runs: holding copies of their pipes would
    // keep them open, so every inherited fd goes at once.
    close_all_except({plan.ctl_fd, plan.sync_fd});
    // The parent's signal dispositions and mask must not reach the program: an
    // ignored SIGPIPE or a blocked SIGTERM would survive its execve.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    char byte;
    ssize_t got;
    do got = read(plan.sync_fd, &byte, 1);
    while (got < 0 && errno == EINTR);
    if (got != 1) _exit(1);  // the parent gave up before writing the id maps
    close(plan.sync_fd);
    if (plan.unshare_cgroup_ns)
        CHECK_OR_FAIL(unshare(CLONE_NEWCGROUP), Stage::set_ids, "cgroup namespace");

    if (plan.root_mode) {
        // Supplementary groups of the host caller must not follow us in.
        CHECK_OR_FAIL(sys::drop_supplementary_groups(), Stage::set_ids, "setgroups");
        CHECK_OR_FAIL(sys::set_gid(0), Stage::set_ids, "setresgid");
        CHECK_OR_FAIL(sys::set_uid(0), Stage::set_ids, "setresuid");
    }
    CHECK_OR_FAIL(setsid(), Stage::setsid, "setsid");
    // Nobody inside may read this process's memory or /proc entries.
    prctl(PR_SET_DUMPABLE, 0);

    CHECK_OR_FAIL(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), Stage::make_private, "/");
    apply_mount_plan(plan);
    enter_new_root(plan);
    CHECK_OR_FAIL(sethostname(plan.hostname, std::strlen(plan.hostname)), Stage::hostname, plan.hostname);

    int landlock_fd = -1;
    if (plan.use_landlock) {
        const char* writable[8] = {};
        std::size_t n = 0;
        for (const auto& dir : plan.mounts->writable_dirs)
            if (n + 1 < sizeof(writable) / sizeof(writable[0])) writable[n++] = dir.c_str();
        landlock_fd = landlock::build_ruleset({writable, "/dev"}, plan.allow_network);
        if (landlock_fd < 0) fail(plan, Stage::landlock, -landlock_fd, "ruleset");
    }

    int box = open("/box", O_DIRECTORY | O_CLOEXEC);
    if (box < 0) fail(plan, Stage::open_box, errno, "/box");
    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0) fail(plan, Stage::open_box, errno, "/dev/null");
    for (int i = 0; i < 3; ++i) dup2(devnull, i);
    if (devnull > 2) close(devnull);
    close_all_except({plan.ctl_fd, landlock_fd, box});
    control::SimpleMsg ready{{control::Type::ready, sizeof(ready)}};
    if (send_with_fd(plan.ctl_fd, &ready, sizeof(ready), box) < 0) _exit(1);
    close(box);

    RunRequest req;
    const bool received = receive_run(plan, req);
    const std::int64_t received_ns = monotonic_ns();
    if (!received) fail(plan, Stage::receive_run, EPROTO, "malformed run request");
    apply_claim_binds(plan, req, landlock_fd);
    mount_attr ro{};
    ro.attr_set = MOUNT_ATTR_RDONLY;
    CHECK_OR_FAIL(sys::mount_setattr(AT_FDCWD, "/", 0, &ro), Stage::root_readonly, "/");

    ProgramArgs args{&plan, &req, landlock_fd};
    pid_t child = clone(program_main, plan.program_stack + plan.program_stack_size,
                        CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    if (child < 0) fail(plan, Stage::spawn, errno, "clone");
    for (int i = 0; i < req.nfds; ++i) close(req.fds[i]);
    if (landlock_fd >= 0) close(landlock_fd);
    if (plan.program_stage != 0) {
        int status;
        waitpid(child, &status, 0);
        const char* what = static_cast<Stage>(plan.program_stage) == Stage::program_exec
                               ? plan.argv[0] : "program setup";
        errno = plan.program_errno;
        fail(plan, static_cast<Stage>(plan.program_stage), plan.program_errno, what);
    }
    control::StartedMsg started{{control::Type::started, sizeof(started)}, received_ns,
                                plan.program_entered_ns, plan.program_confined_ns, monotonic_ns()};
    send_with_fd(plan.ctl_fd, &started, sizeof(started), -1);

    // PID 1 inherits every orphan: reap them all, account for all of them, and
    // leave when the program itself ends (the kernel then kills the rest).
    control::ExitedMsg exited{};
    exited.header = {control::Type::exited, sizeof(exited)};
    for (;;) {
        int status = 0;
        rusage ru{};
        pid_t pid = wait4(-1, &status, __WALL, &ru);
        if (pid < 0) {
            if (errno == EINTR) continue;
            _exit(1);
        }
        exited.user_us += static_cast<std::uint64_t>(ru.ru_utime.tv_sec) * 1000000 +
                          static_cast<std::uint64_t>(ru.ru_utime.tv_usec);
        exited.system_us += static_cast<std::uint64_t>(ru.ru_stime.tv_sec) * 1000000 +
                            static_cast<std::uint64_t>(ru.ru_stime.tv_usec);
        if (static_cast<std::uint64_t>(ru.ru_maxrss) > exited.max_rss_kib)
            exited.max_rss_kib = static_cast<std::uint64_t>(ru.ru_maxrss);
        if (pid == child) {
            exited.wait_status = status;
            send_with_fd(plan.ctl_fd, &exited, sizeof(exited), -1);
            _exit(0);
        }
    }
}

}  // namespace ringfence
