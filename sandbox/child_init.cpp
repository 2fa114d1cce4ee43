#include "child_init.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <poll.h>
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

#include "child_common.hpp"
#include "close_fds.hpp"
#include "control_protocol.hpp"
#include "fd_passing.hpp"
#include "landlock.hpp"
#include "syscalls.hpp"

namespace ringfence {
namespace {

using control::Stage;

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
                if (mkdir(path, op.mode) < 0 && errno != EEXIST) child::fail(plan, Stage::make_dir, errno, path);
                break;
            case MountOp::Kind::make_file:
                RINGFENCE_CHECK_OR_FAIL(create_file(path, op.mode, "", 0), Stage::make_file, path);
                break;
            case MountOp::Kind::symlink:
                RINGFENCE_CHECK_OR_FAIL(symlink(op.source.c_str(), path), Stage::make_symlink, path);
                break;
            case MountOp::Kind::write_file:
                RINGFENCE_CHECK_OR_FAIL(create_file(path, op.mode, op.source.data(), op.source.size()),
                              Stage::write_file, path);
                break;
            case MountOp::Kind::bind:
                RINGFENCE_CHECK_OR_FAIL(mount(op.source.c_str(), path, nullptr, MS_BIND | MS_REC, nullptr),
                              Stage::mount_bind, op.source.c_str());
                break;
            case MountOp::Kind::tmpfs:
                RINGFENCE_CHECK_OR_FAIL(mount("tmpfs", path, "tmpfs", op.flags, op.source.c_str()),
                              Stage::mount_tmpfs, path);
                break;
            case MountOp::Kind::proc:
                RINGFENCE_CHECK_OR_FAIL(mount("proc", path, "proc", op.flags, op.source.c_str()),
                              Stage::mount_proc, path);
                break;
            case MountOp::Kind::set_attr:
                RINGFENCE_CHECK_OR_FAIL(set_attr(path, op.attr_set, op.recursive), Stage::mount_attr, path);
                break;
        }
    }
}

void enter_new_root(const ChildPlan& plan) {
    const char* staging = plan.mounts->staging.c_str();
    RINGFENCE_CHECK_OR_FAIL(chdir(staging), Stage::pivot_root, staging);
    // pivot_root(".", ".") stacks the old root under the new one; detaching it
    // leaves nothing of the host reachable (the trick documented in pivot_root(2)).
    RINGFENCE_CHECK_OR_FAIL(sys::pivot_root(".", "."), Stage::pivot_root, staging);
    RINGFENCE_CHECK_OR_FAIL(umount2(".", MNT_DETACH), Stage::pivot_root, "old root");
    RINGFENCE_CHECK_OR_FAIL(chdir("/"), Stage::pivot_root, "/");
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

void apply_claim_binds(const ChildPlan& plan, const child::RunRequest& req, int landlock_fd) {
    for (std::uint32_t i = 0; i < req.msg->nbinds; ++i) {
        int fd = req.fds[3 + i];
        const char* target = req.bind_targets[i];
        struct stat st {};
        RINGFENCE_CHECK_OR_FAIL(fstat(fd, &st), Stage::claim_bind, target);
        RINGFENCE_CHECK_OR_FAIL(make_mount_point(plan, target, S_ISDIR(st.st_mode)), Stage::claim_bind, target);
        RINGFENCE_CHECK_OR_FAIL(sys::move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH),
                      Stage::claim_bind, target);
        bool writable = i < 32 ? (req.msg->bind_writable_mask_lo >> i) & 1
                               : (req.msg->bind_writable_mask_hi >> (i - 32)) & 1;
        std::uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (writable ? 0 : MOUNT_ATTR_RDONLY);
        RINGFENCE_CHECK_OR_FAIL(set_attr(target, attrs, true), Stage::claim_bind, target);
        if (writable && landlock_fd >= 0) {
            int rc = landlock::allow_writes_beneath(landlock_fd, target);
            if (rc < 0) child::fail(plan, Stage::landlock, -rc, target);
        }
        close(fd);
    }
}

int set_root_readonly(bool readonly) {
    mount_attr attr{};
    (readonly ? attr.attr_set : attr.attr_clr) = MOUNT_ATTR_RDONLY;
    return sys::mount_setattr(AT_FDCWD, "/", 0, &attr);
}

// Hands the request on to the program process: the same bytes, stdin/stdout/stderr.
int forward_to_program(int sock, const child::RunRequest& req) {
    iovec iov{req.msg, req.size};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(cmsghdr) char cbuf[CMSG_SPACE(3 * sizeof(int))];
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    cmsghdr* c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(3 * sizeof(int));
    std::memcpy(CMSG_DATA(c), req.fds, 3 * sizeof(int));
    return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

void unblock_signals() {
    // Dispositions are all default already (the init server reset them when it
    // started and gave SIGCHLD back in this child); the mask is the server's,
    // everything blocked, and must not reach the program.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

// PID 1 inherits every orphan: reap them all and account for all of them
// until the program itself ends. Then report and stay: killing this process
// ends the sandbox (the kernel kills the rest of the PID namespace, then tears
// the namespaces down), and the supervisor does that either at once, when
// more than this process is left, or when the sandbox is retired, which a
// pool does while no run is going on rather than beside the next one.
[[noreturn]] void reap_until(const ChildPlan& plan, pid_t program) {
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
        if (pid == program) {
            exited.wait_status = status;
            if (send_with_fd(plan.ctl_fd, &exited, sizeof(exited), -1) < 0) _exit(0);
            for (;;) pause();
        }
    }
}

}  // namespace

void run_init(ChildPlan& plan) noexcept {
    // The id maps are written: from here on nothing may read this process.
    prctl(PR_SET_DUMPABLE, 0);
    // The server may hold other sandboxes' descriptors for a moment: every
    // inherited fd goes at once.
    close_all_except({plan.ctl_fd, plan.server_pidfd});
    unblock_signals();
    if (plan.unshare_cgroup_ns)
        RINGFENCE_CHECK_OR_FAIL(unshare(CLONE_NEWCGROUP), Stage::set_ids, "cgroup namespace");

    if (plan.root_mode) {
        // Supplementary groups of the host caller must not follow us in.
        RINGFENCE_CHECK_OR_FAIL(sys::drop_supplementary_groups(), Stage::set_ids, "setgroups");
        RINGFENCE_CHECK_OR_FAIL(sys::set_gid(0), Stage::set_ids, "setresgid");
        RINGFENCE_CHECK_OR_FAIL(sys::set_uid(0), Stage::set_ids, "setresuid");
    }
    child::die_with_server(plan.server_pidfd);  // again: the id change above cleared it
    close(plan.server_pidfd);
    plan.server_pidfd = -1;
    RINGFENCE_CHECK_OR_FAIL(setsid(), Stage::setsid, "setsid");
    // Again: an id change resets it to the host's fs.suid_dumpable.
    prctl(PR_SET_DUMPABLE, 0);

    RINGFENCE_CHECK_OR_FAIL(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), Stage::make_private, "/");
    apply_mount_plan(plan);
    enter_new_root(plan);
    RINGFENCE_CHECK_OR_FAIL(sethostname(plan.hostname, std::strlen(plan.hostname)), Stage::hostname,
                            plan.hostname);
    RINGFENCE_CHECK_OR_FAIL(set_root_readonly(true), Stage::root_readonly, "/");

    int landlock_fd = -1;
    if (plan.use_landlock) {
        const char* writable[8] = {};
        std::size_t n = 0;
        for (const auto& dir : plan.mounts->writable_dirs)
            if (n + 1 < sizeof(writable) / sizeof(writable[0])) writable[n++] = dir.c_str();
        landlock_fd = landlock::build_ruleset({writable, "/dev"}, plan.allow_network);
        if (landlock_fd < 0) child::fail(plan, Stage::landlock, -landlock_fd, "ruleset");
    }

    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0) child::fail(plan, Stage::open_box, errno, "/dev/null");
    for (int i = 0; i < 3; ++i) dup2(devnull, i);
    if (devnull > 2) close(devnull);

    // The program's process, confined now rather than during the run.
    int pair[2];
    RINGFENCE_CHECK_OR_FAIL(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), Stage::spawn, "socketpair");
    // A raw clone: the init registers no fork handlers and needs none run.
    long program = syscall(SYS_clone, SIGCHLD, 0, nullptr, nullptr, 0);
    if (program < 0) child::fail(plan, Stage::spawn, errno, "clone");
    if (program == 0) {
        close(pair[0]);
        run_program_process(plan, pair[1], landlock_fd);
    }
    close(pair[1]);
    const int program_sock = pair[0];

    int box = open("/box", O_DIRECTORY | O_CLOEXEC);
    if (box < 0) child::fail(plan, Stage::open_box, errno, "/box");
    close_all_except({plan.ctl_fd, landlock_fd, box, program_sock});
    control::SimpleMsg ready{{control::Type::ready, sizeof(ready)}};
    if (send_with_fd(plan.ctl_fd, &ready, sizeof(ready), box) < 0) _exit(1);
    close(box);

    // A run without binds goes straight to the program's process; the init
    // learns of it only when the program ends. A run with binds comes here.
    const int program_pidfd = sys::pidfd_open(static_cast<pid_t>(program));
    if (program_pidfd < 0) child::fail(plan, Stage::spawn, errno, "pidfd_open");
    pollfd wait_for[2] = {{plan.ctl_fd, POLLIN, 0}, {program_pidfd, POLLIN, 0}};
    while (poll(wait_for, 2, -1) < 0)
        if (errno != EINTR) child::fail(plan, Stage::receive_run, errno, "poll");
    if (!(wait_for[0].revents & POLLIN) && (wait_for[1].revents & POLLIN)) {
        if (landlock_fd >= 0) close(landlock_fd);
        close(program_sock);
        close(program_pidfd);
        reap_until(plan, static_cast<pid_t>(program));
    }
    close(program_pidfd);

    child::RunRequest req;
    const bool received = child::receive_run(plan, plan.ctl_fd, true, req);
    if (!received) child::fail(plan, Stage::receive_run, EPROTO, "malformed run request");
    req.msg->received_ns = child::monotonic_ns();
    if (req.msg->nbinds > 0) {
        // Mount points outside /box need the root writable for a moment.
        RINGFENCE_CHECK_OR_FAIL(set_root_readonly(false), Stage::root_readonly, "/");
        apply_claim_binds(plan, req, landlock_fd);
        RINGFENCE_CHECK_OR_FAIL(set_root_readonly(true), Stage::root_readonly, "/");
    }
    RINGFENCE_CHECK_OR_FAIL(forward_to_program(program_sock, req), Stage::spawn, "forward the run request");
    for (int i = 0; i < req.nfds; ++i) close(req.fds[i]);
    if (landlock_fd >= 0) close(landlock_fd);
    close(program_sock);
    reap_until(plan, static_cast<pid_t>(program));
}

}  // namespace ringfence
