#include "jail.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringfence::vm {
namespace {

// Everything the child needs, computed before clone: after clone the child of
// a multithreaded process may only make system calls (no allocation).
struct ChildPlan {
    struct Bind {
        std::string source;
        std::string target;
        bool is_file = true;
        unsigned long remount_flags = 0;
    };
    // A detached mount (open_tree) of a verified file: an fd-based bind made
    // in our namespace cannot be used from the child's, a detached one can.
    struct Attach {
        int tree_fd = -1;
        std::string target;
    };
    struct Link {
        std::string target;  // link contents
        std::string path;
    };
    std::string root;
    std::string dev_dir;
    std::vector<std::string> dirs;   // created in order after the tmpfs root is up
    std::vector<Bind> binds;         // before /dev goes read-only
    std::vector<Link> links;
    std::vector<Attach> attaches;
    std::vector<const char*> argv;
    const char* binary = nullptr;
    std::vector<int> pass_fds;
    int stderr_fd = -1;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    rlim_t nofile = 1024;
    rlim_t fsize = 0;
};

enum Stage : int {
    kWaitGo, kMakePrivate, kMountRoot, kMakeDirs, kMountDev, kAttach, kBind, kRemountBind, kSymlink, kRemountDev,
    kPivotRoot, kDetachOldRoot, kRemountRoot, kArrangeFds, kRlimits, kSetGroups, kSetGid, kSetUid,
    kNoNewPrivs, kDeathSignal, kParentGone, kExec, kStageCount
};

const char* stage_name(int stage) {
    static const char* const kNames[kStageCount] = {
        "wait for the go signal", "make mounts private", "mount the jail tmpfs", "create directories",
        "mount /dev", "attach an image file", "bind a file", "remount a bind read-only", "create a symlink", "remount /dev read-only",
        "pivot_root", "detach the old root", "remount the root read-only", "arrange fds", "set rlimits",
        "drop supplementary groups", "set the gid", "set the uid", "set no_new_privs",
        "set the parent-death signal", "start (the parent is gone)", "exec QEMU",
    };
    return stage >= 0 && stage < kStageCount ? kNames[stage] : "?";
}

struct ChildError {
    int stage;
    int err;
};

[[noreturn]] void child_fail(int err_fd, Stage stage) {
    const ChildError e{stage, errno};
    (void)!::write(err_fd, &e, sizeof e);
    ::_exit(127);
}

int create_file(const char* path) {
    const int fd = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0) return -1;
    ::close(fd);
    return 0;
}

// Runs in the clone3 child: system calls only, everything precomputed in `p`.
[[noreturn]] void child_main(const ChildPlan& p, int go_fd, int err_fd) {
    char go = 0;
    if (::read(go_fd, &go, 1) != 1) child_fail(err_fd, kWaitGo);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(err_fd, kMakePrivate);
    if (::mount("ringfence-vm", p.root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k,mode=0755") != 0)
        child_fail(err_fd, kMountRoot);
    for (const auto& d : p.dirs)
        if (::mkdir(d.c_str(), 0755) != 0) child_fail(err_fd, kMakeDirs);
    if (::mount("ringfence-dev", p.dev_dir.c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") != 0)
        child_fail(err_fd, kMountDev);
    for (const auto& a : p.attaches) {
        if (create_file(a.target.c_str()) != 0) child_fail(err_fd, kAttach);
        if (::move_mount(a.tree_fd, "", AT_FDCWD, a.target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
            child_fail(err_fd, kAttach);
    }
    for (const auto& b : p.binds) {
        if (b.is_file ? create_file(b.target.c_str()) != 0 : ::mkdir(b.target.c_str(), 0755) != 0)
            child_fail(err_fd, kBind);
        if (::mount(b.source.c_str(), b.target.c_str(), nullptr, MS_BIND, nullptr) != 0) child_fail(err_fd, kBind);
        if (::mount(nullptr, b.target.c_str(), nullptr, MS_BIND | MS_REMOUNT | b.remount_flags, nullptr) != 0)
            child_fail(err_fd, kRemountBind);
    }
    for (const auto& l : p.links)
        if (::symlink(l.target.c_str(), l.path.c_str()) != 0) child_fail(err_fd, kSymlink);
    if (::mount(nullptr, p.dev_dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, nullptr) != 0)
        child_fail(err_fd, kRemountDev);
    if (::chdir(p.root.c_str()) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0) child_fail(err_fd, kPivotRoot);
    if (::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) child_fail(err_fd, kDetachOldRoot);
    if (::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
        child_fail(err_fd, kRemountRoot);

    // fds: park everything high first so the final numbers cannot collide,
    // then 0-2, the passed fds from 3, and our two pipes right after them.
    const int n_pass = static_cast<int>(p.pass_fds.size());
    const int err_at = 3 + n_pass, go_at = 4 + n_pass;
    int parked[16];
    for (int i = 0; i < n_pass; ++i)
        if ((parked[i] = ::fcntl(p.pass_fds[i], F_DUPFD, 1000)) < 0) child_fail(err_fd, kArrangeFds);
    const int err_high = ::fcntl(err_fd, F_DUPFD_CLOEXEC, 1000);
    const int go_high = ::fcntl(go_fd, F_DUPFD_CLOEXEC, 1000);
    if (err_high < 0 || go_high < 0) child_fail(err_fd, kArrangeFds);
    err_fd = err_high;
    const int out = p.stderr_fd >= 0 ? ::fcntl(p.stderr_fd, F_DUPFD, 1000) : ::open("/dev/null", O_WRONLY);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0)
        child_fail(err_fd, kArrangeFds);
    for (int i = 0; i < n_pass; ++i)
        if (::dup2(parked[i], 3 + i) < 0) child_fail(err_fd, kArrangeFds);
    if (::dup3(err_high, err_at, O_CLOEXEC) < 0) child_fail(err_fd, kArrangeFds);
    err_fd = err_at;
    if (::dup3(go_high, go_at, O_CLOEXEC) < 0) child_fail(err_fd, kArrangeFds);
    if (::syscall(SYS_close_range, go_at + 1, ~0U, 0) != 0) child_fail(err_fd, kArrangeFds);

    const rlimit nofile{p.nofile, p.nofile}, core{0, 0}, fsize{p.fsize, p.fsize};
    if (::setrlimit(RLIMIT_NOFILE, &nofile) != 0 || ::setrlimit(RLIMIT_CORE, &core) != 0 ||
        ::setrlimit(RLIMIT_FSIZE, &fsize) != 0)
        child_fail(err_fd, kRlimits);
    if (::setgroups(p.groups.size(), p.groups.data()) != 0) child_fail(err_fd, kSetGroups);
    if (::setresgid(p.gid, p.gid, p.gid) != 0) child_fail(err_fd, kSetGid);
    // From root to a non-zero uid: the kernel clears every capability.
    if (::setresuid(p.uid, p.uid, p.uid) != 0) child_fail(err_fd, kSetUid);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(err_fd, kNoNewPrivs);
    // Changing credentials cleared any earlier parent-death signal: set it now,
    // then check the parent still holds the go pipe (it closes it only once
    // exec succeeded, or by dying).
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) child_fail(err_fd, kDeathSignal);
    pollfd alive{go_at, POLLIN, 0};
    if (::poll(&alive, 1, 0) != 0) child_fail(err_fd, kParentGone);
    char* const envp[] = {nullptr};
    ::execve(p.binary, const_cast<char* const*>(p.argv.data()), envp);
    child_fail(err_fd, kExec);
}

// Detached, read-only mounts of exactly the verified files.
Result<std::vector<UniqueFd>> detach_files(const JailSpec& s, ChildPlan& p) {
    std::vector<UniqueFd> trees;
    for (const auto& f : s.files) {
        UniqueFd tree(::open_tree(f.fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH));
        if (!tree) return setup_error("jail: open_tree of " + f.target, errno);
        mount_attr attr{};
        attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
            return setup_error("jail: make " + f.target + " read-only", errno);
        p.attaches.push_back({tree.get(), p.root + f.target});
        trees.push_back(std::move(tree));
    }
    return trees;
}

ChildPlan make_plan(const JailSpec& s) {
    ChildPlan p;
    p.root = s.mount_point.string();
    p.dev_dir = p.root + "/dev";
    p.dirs = {p.root + "/vm", p.root + "/dev"};
    // Debian's merged /usr: /lib, /lib64, /bin are links into /usr. Keep the
    // same shape; bind real directories read-only where a host has them.
    constexpr unsigned long kRo = MS_RDONLY | MS_NOSUID | MS_NODEV;
    p.binds.push_back({"/usr", p.root + "/usr", false, kRo});
    for (const char* top : {"/lib", "/lib64", "/bin"}) {
        std::error_code ec;
        const auto status = std::filesystem::symlink_status(top, ec);
        if (ec) continue;
        if (std::filesystem::is_symlink(status))
            p.links.push_back({std::filesystem::read_symlink(top, ec).string(), p.root + top});
        else if (std::filesystem::is_directory(status))
            p.binds.push_back({top, p.root + top, false, kRo});
    }
    std::vector<const char*> devices = {"/dev/null", "/dev/zero", "/dev/urandom"};
    if (s.expose_kvm) devices.push_back("/dev/kvm");
    for (const char* d : devices) p.binds.push_back({d, p.root + d, true, MS_NOSUID | MS_NOEXEC});
    p.binary = s.binary.c_str();
    for (const auto& a : s.argv) p.argv.push_back(a.c_str());
    p.argv.push_back(nullptr);
    p.pass_fds = s.pass_fds;
    p.stderr_fd = s.stderr_fd;
    p.uid = s.uid;
    p.gid = s.gid;
    p.groups = s.groups;
    p.nofile = s.rlimit_nofile;
    p.fsize = s.rlimit_fsize;
    return p;
}

}  // namespace

JailedProcess::JailedProcess(JailedProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)), status_(other.status_) {}

JailedProcess& JailedProcess::operator=(JailedProcess&& other) noexcept {
    if (this != &other) {
        kill_and_reap();
        pid_ = std::exchange(other.pid_, -1);
        pidfd_ = std::move(other.pidfd_);
        status_ = other.status_;
    }
    return *this;
}

bool JailedProcess::try_reap() {
    if (pid_ <= 0) return true;
    siginfo_t info{};
    if (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG) != 0) return false;
    if (info.si_pid == 0) return false;
    status_ = info.si_code == CLD_EXITED ? (info.si_status << 8) : info.si_status;
    pid_ = -1;
    pidfd_.reset();
    return true;
}

void JailedProcess::kill_and_reap() {
    if (pid_ <= 0) return;
    ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
    siginfo_t info{};
    while (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED) != 0 && errno == EINTR) {
    }
    status_ = info.si_code == CLD_EXITED ? (info.si_status << 8) : info.si_status;
    pid_ = -1;
    pidfd_.reset();
}

std::optional<gid_t> kvm_device_group() {
    struct stat st {};
    if (::stat("/dev/kvm", &st) != 0) return std::nullopt;
    return st.st_gid;
}

Result<JailedProcess> spawn_jailed(const JailSpec& spec) {
    if (spec.uid == 0 || spec.gid == 0) return internal_error("jail: QEMU must not run as root");
    if (!spec.cgroup) return internal_error("jail: a cgroup is required");
    if (spec.pass_fds.size() > 16) return internal_error("jail: too many fds to pass");
    if (::geteuid() != 0)
        return setup_error("the VM tier must run as root: it gives each QEMU its own uid, namespaces and cgroup");
    ChildPlan plan = make_plan(spec);
    auto trees = detach_files(spec, plan);
    if (!trees) return std::move(trees).error();

    int go[2], err[2];
    if (::pipe2(go, O_CLOEXEC) != 0) return setup_error("jail: pipe", errno);
    UniqueFd go_read(go[0]), go_write(go[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return setup_error("jail: pipe", errno);
    UniqueFd err_read(err[0]), err_write(err[1]);

    int pidfd = -1;
    clone_args args{};
    args.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
    args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    const int cgroup_fd = spec.cgroup->clone_into_fd();
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<std::uint64_t>(cgroup_fd);
    }
    const long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return setup_error("jail: clone3 with new namespaces failed", errno);
    if (pid == 0) {
        ::close(go_write.release());  // the child watches the write end for EOF
        child_main(plan, go_read.get(), err_write.get());
    }
    JailedProcess process(static_cast<pid_t>(pid), UniqueFd(pidfd));
    go_read.reset();
    err_write.reset();
    if (cgroup_fd < 0) {
        if (auto attached = spec.cgroup->attach(static_cast<pid_t>(pid)); !attached)
            return setup_error("jail: cannot move QEMU into its cgroup: " + attached.error().describe());
    }
    if (::write(go_write.get(), "g", 1) != 1) return setup_error("jail: cannot start the child", errno);
    ChildError e{};
    ssize_t n;
    while ((n = ::read(err_read.get(), &e, sizeof e)) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof e))
        return setup_error(std::string("jail: could not ") + stage_name(e.stage) + " for QEMU", e.err);
    if (n != 0) return setup_error("jail: the child died before exec");
    return process;
}

}  // namespace ringfence::vm
