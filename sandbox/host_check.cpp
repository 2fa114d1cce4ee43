// `ringfence check`: probes each kernel feature the sandbox relies on by
// using it (not by reading version numbers), and names the fix for each gap.
#include "ringfence/host_check.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cgroup_detect.hpp"
#include "init_image.hpp"
#include "unique_fd.hpp"

namespace ringfence {

namespace {

constexpr unsigned kNobody = 65534;

// A sysctl's value, or "" when the file does not exist on this kernel.
std::string sysctl(const std::string& name) {
    std::string file = "/proc/sys/";
    for (char c : name) file += c == '.' ? '/' : c;
    std::ifstream in(file);
    std::string value;
    if (!in || !std::getline(in, value)) return {};
    return value;
}

std::string errno_name(int err) { return err == 0 ? "ok" : std::strerror(err); }

std::string self_exe() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "/usr/local/bin/ringfence";
}

// Runs `probe` in a child process (so nothing it changes touches us) and
// returns the errno it reports through its exit status (0: success).
template <class Probe>
int in_child(Probe probe) {
    pid_t pid = ::fork();
    if (pid < 0) return errno;
    if (pid == 0) ::_exit(probe());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : EFAULT;
}

int try_userns(bool as_nobody) {
    return in_child([as_nobody]() -> int {
        // Raw syscalls: after fork only this thread exists, and glibc's
        // set*id would try to reach the parent's other threads.
        if (as_nobody && (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
                          ::syscall(SYS_setgid, kNobody) != 0 || ::syscall(SYS_setuid, kNobody) != 0))
            return errno;
        return ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
    });
}

HostFinding kernel_finding() {
    HostFinding f{"kernel", false, true, "", ""};
    utsname u{};
    ::uname(&u);
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    f.ok = major > 5 || (major == 5 && minor >= 10);
    f.detail = std::string("Linux ") + u.release;
    if (!f.ok) f.fix = "upgrade to Linux 5.10 or later (6.12+ also lets pooled sandboxes reset memory.peak)";
    return f;
}

std::string userns_fix(int err) {
    if (sysctl("kernel.unprivileged_userns_clone") == "0")
        return "sysctl -w kernel.unprivileged_userns_clone=1 (persist it in /etc/sysctl.d/)";
    if (sysctl("user.max_user_namespaces") == "0")
        return "sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d/)";
    if (sysctl("kernel.apparmor_restrict_unprivileged_userns") == "1")
        return "AppArmor blocks it: see the AppArmor finding";
    if (err == EPERM)
        return "a seccomp filter or container runtime forbids unshare(CLONE_NEWUSER): allow it "
               "(docker: a seccomp profile allowing unshare and clone with CLONE_NEWUSER)";
    return "use a kernel with CONFIG_USER_NS=y";
}

std::vector<HostFinding> userns_findings(bool root) {
    std::string sysctls = "user.max_user_namespaces=" + sysctl("user.max_user_namespaces");
    std::string debian = sysctl("kernel.unprivileged_userns_clone");
    if (!debian.empty()) sysctls += ", kernel.unprivileged_userns_clone=" + debian;
    std::vector<HostFinding> out;
    int own = try_userns(false);
    out.push_back({"user namespaces", own == 0, true,
                   std::string("unshare(CLONE_NEWUSER) as ") + (root ? "root" : "this user") + ": " +
                       errno_name(own) + " (" + sysctls + ")",
                   own == 0 ? "" : userns_fix(own)});
    if (root) {
        int nobody = try_userns(true);
        out.push_back({"unprivileged user namespaces", nobody == 0, false,
                       "unshare(CLONE_NEWUSER) as nobody: " + errno_name(nobody) +
                           " (needed only to run ringfence without root)",
                       nobody == 0 ? "" : userns_fix(nobody)});
    }
    return out;
}

HostFinding apparmor_finding(bool root) {
    HostFinding f{"AppArmor user namespace restriction", true, !root, "", ""};
    std::string value = sysctl("kernel.apparmor_restrict_unprivileged_userns");
    if (value.empty()) {
        f.detail = "not present on this kernel";
    } else if (value == "0") {
        f.detail = "kernel.apparmor_restrict_unprivileged_userns=0";
    } else {
        f.ok = false;
        f.detail = "kernel.apparmor_restrict_unprivileged_userns=" + value +
                   (root ? " (does not affect root)" : ": unprivileged user namespaces are denied");
        f.fix = "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or allow it for "
                "ringfence only: put `abi <abi/4.0>, include <tunables/global> profile ringfence " +
                self_exe() + " flags=(unconfined) { userns, }` in /etc/apparmor.d/ringfence and run "
                "apparmor_parser -r /etc/apparmor.d/ringfence";
    }
    return f;
}

HostFinding seccomp_finding() {
    HostFinding f{"seccomp", false, true, "", ""};
    std::string actions = sysctl("kernel.seccomp.actions_avail");
    bool filter = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
    std::istringstream words(actions);
    bool kill_process = false, user_notif = false;
    for (std::string w; words >> w;) {
        kill_process = kill_process || w == "kill_process";
        user_notif = user_notif || w == "user_notif";
    }
    f.ok = filter && kill_process && user_notif;
    f.detail = actions.empty() ? "no /proc/sys/kernel/seccomp/actions_avail"
                               : "actions available: " + actions;
    if (!f.ok)
        f.fix = "use a kernel with CONFIG_SECCOMP_FILTER=y (Linux 5.0+ for kill_process and "
                "user_notif)";
    return f;
}

HostFinding landlock_finding() {
    HostFinding f{"Landlock", false, false, "", ""};
    long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi > 0) {
        f.ok = true;
        f.detail = "ABI " + std::to_string(abi);
    } else if (errno == EOPNOTSUPP) {
        f.detail = "built in but disabled at boot";
        f.fix = "add landlock to the lsm= boot parameter (e.g. lsm=landlock,lockdown,yama,"
                "integrity,apparmor,bpf)";
    } else {
        f.detail = "not available: " + errno_name(errno);
        f.fix = "use Linux 5.13 or later built with CONFIG_SECURITY_LANDLOCK=y";
    }
    return f;
}

// `err` is the probe call's errno (0: it succeeded); only ENOSYS means missing.
HostFinding syscall_finding(const char* name, bool required, int err, const char* since) {
    HostFinding f{name, err != ENOSYS, required, "", ""};
    f.detail = f.ok ? "supported" : std::string("not supported (") + errno_name(err) + ")";
    if (!f.ok) f.fix = std::string("upgrade to ") + since + " or later";
    return f;
}

std::vector<HostFinding> syscall_findings() {
    std::vector<HostFinding> out;
    errno = 0;
    long pidfd = ::syscall(SYS_pidfd_open, ::getpid(), 0);
    int err = pidfd < 0 ? errno : 0;
    if (pidfd >= 0) ::close(static_cast<int>(pidfd));
    out.push_back(syscall_finding("pidfd_open", true, err, "Linux 5.3"));

    // clone3 into a file that is no cgroup: EBADF proves both the call and the
    // flag are understood (EINVAL: flag unknown, ENOSYS: no clone3), and no child is made.
    UniqueFd not_a_cgroup(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    clone_args args{};
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<std::uint64_t>(not_a_cgroup.get());
    long child = ::syscall(SYS_clone3, &args, sizeof args);
    if (child == 0) ::_exit(0);
    int clone_err = child < 0 ? errno : 0;
    if (child > 0) ::waitpid(static_cast<pid_t>(child), nullptr, 0);
    out.push_back(syscall_finding("clone3", true, clone_err, "Linux 5.3"));  // every sandbox is cloned with it
    HostFinding into{"CLONE_INTO_CGROUP", clone_err == EBADF || child > 0, false, "", ""};
    into.detail = into.ok ? "supported (cgroup v2 runs start inside their group)"
                          : "not supported (" + errno_name(clone_err) + ")";
    if (!into.ok) into.fix = "upgrade to Linux 5.7 or later";
    out.push_back(into);

    // Each call with arguments it must refuse: only ENOSYS means "missing".
    errno = 0;
    long r1 = ::syscall(SYS_open_tree, -1, "", 0);
    int e1 = r1 < 0 ? errno : 0;
    if (r1 >= 0) ::close(static_cast<int>(r1));
    long r2 = ::syscall(SYS_move_mount, -1, "", -1, "", 0);
    int e2 = r2 < 0 ? errno : 0;
    long r3 = ::syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0);
    int e3 = r3 < 0 ? errno : 0;
    // Required: binds are attached with open_tree/move_mount, attributes set with mount_setattr.
    HostFinding mounts{"new mount API", e1 != ENOSYS && e2 != ENOSYS && e3 != ENOSYS, true, "", ""};
    mounts.detail = "open_tree: " + std::string(e1 == ENOSYS ? "missing" : "present") +
                    ", move_mount: " + (e2 == ENOSYS ? "missing" : "present") +
                    ", mount_setattr: " + (e3 == ENOSYS ? "missing" : "present");
    if (!mounts.ok) mounts.fix = "upgrade to Linux 5.12 or later";
    out.push_back(mounts);
    return out;
}

// Every sandbox's init runs from a sealed memfd (init_image.hpp): make one
// and really exec it. Started without its arguments, the init exits with 2.
HostFinding init_image_finding() {
    HostFinding f{"executable memfd (the sandbox init)", false, true, "", ""};
    const std::string noexec = sysctl("vm.memfd_noexec");
    const std::string setting = noexec.empty() ? "" : " (vm.memfd_noexec=" + noexec + ")";
    auto image = open_init_image();
    if (!image) {
        f.detail = image.error().describe() + setting;
    } else {
        constexpr int kExecFailed = 100;  // + errno % 100: apart from the init's own 2
        const int fd = image->get();
        const int code = in_child([fd] {
            char name[] = "ringfence-init";
            char* argv[] = {name, nullptr};
            char* envp[] = {nullptr};
            ::syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
            return kExecFailed + errno % 100;
        });
        f.ok = code == 2;
        f.detail = f.ok ? "the init image executes" + setting
                        : (code >= kExecFailed ? "exec refused: " + errno_name(code - kExecFailed)
                                               : "the init image exited with " + std::to_string(code)) +
                              setting;
    }
    if (!f.ok)
        f.fix = "sysctl -w vm.memfd_noexec=0 (2 refuses executable memfds to everyone); a security "
                "module denying execve of memfds must allow it for ringfence";
    return f;
}

HostFinding bwrap_finding() {
    HostFinding f{"bubblewrap", false, false, "", ""};
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? "." : dir) + "/bwrap";
        if (::access(candidate.c_str(), X_OK) == 0) {
            f.ok = true;
            f.detail = candidate + " (benchmark peer only)";
            return f;
        }
    }
    f.detail = "bwrap not found in PATH (benchmark peer only)";
    f.fix = "apt-get install bubblewrap";
    return f;
}

}  // namespace

bool HostReport::ready() const {
    for (const auto& f : findings)
        if (f.required && !f.ok) return false;
    return true;
}

HostReport check_host() {
    bool root = ::geteuid() == 0;
    HostReport report;
    auto add = [&](std::vector<HostFinding> more) {
        for (auto& f : more) report.findings.push_back(std::move(f));
    };
    report.findings.push_back(kernel_finding());
    add(userns_findings(root));
    report.findings.push_back(apparmor_finding(root));
    add(cgroup::check_cgroups(CgroupOptions{}, cgroup::current_detect_host()));
    report.findings.push_back(seccomp_finding());
    report.findings.push_back(landlock_finding());
    add(syscall_findings());
    report.findings.push_back(init_image_finding());
    report.findings.push_back(bwrap_finding());
    return report;
}

std::string to_text(const HostReport& report) {
    std::string out;
    std::size_t failed = 0;
    for (const auto& f : report.findings) {
        const char* mark = f.ok ? "[ ok ]" : (f.required ? "[FAIL]" : "[warn]");
        if (!f.ok && f.required) ++failed;
        out += std::string(mark) + " " + f.name + ": " + f.detail + "\n";
        if (!f.ok && !f.fix.empty()) out += "       fix: " + f.fix + "\n";
    }
    if (report.ready())
        out += "\nready: every required feature works ([warn] lines are optional)\n";
    else
        out += "\nNOT ready: " + std::to_string(failed) + " required check" +
               (failed == 1 ? "" : "s") + " failed (see the fix lines)\n";
    return out;
}

std::string to_json(const HostReport& report) {
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    for (const auto& f : report.findings)
        findings.push_back({{"name", f.name},
                            {"ok", f.ok},
                            {"required", f.required},
                            {"detail", f.detail},
                            {"fix", f.ok ? std::string() : f.fix}});
    nlohmann::ordered_json doc = {{"ready", report.ready()}, {"findings", findings}};
    // Details quote kernel files and errors: never let a stray byte break the JSON.
    return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace ringfence
