#include "seccomp_policy.hpp"

#include <linux/audit.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "unique_fd.hpp"

namespace ringfence {
namespace {

constexpr std::uint64_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                          CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                          CLONE_NEWCGROUP | CLONE_NEWTIME;

// Syscalls the filter always allows: the program's process installs the filter
// while the sandbox is prepared, and between then and execve it receives its
// stdio, switches directory, sets rlimits and enforces Landlock; every program
// needs the rest. None of them reaches beyond the caller's own process.
constexpr const char* kAlwaysAllowed[] = {
    "execve", "exit", "exit_group", "sendmsg", "recvmsg", "close", "close_range", "dup2", "dup3",
    "chdir", "setrlimit", "prlimit64", "landlock_restrict_self", "clock_gettime", "rt_sigreturn",
    "restart_syscall"};

struct SocketFamily {
    const char* suffix;
    int family;
};
constexpr SocketFamily kSocketFamilies[] = {
    {"unix", AF_UNIX}, {"inet", AF_INET}, {"inet6", AF_INET6}, {"netlink", AF_NETLINK}};

// Adds ALLOW rules that together match every value of the low 32 bits of `arg`
// except those in `denied`, whatever the high 32 bits hold. libseccomp lets an
// unconditional ALLOW win over a conditional deny for the same call, so the
// exception has to be spelled out as the union of bit-prefix classes that avoid
// the denied values.
int allow_low32_except(scmp_filter_ctx ctx, int nr, unsigned arg,
                       const std::vector<std::uint32_t>& denied) {
    std::function<int(std::uint32_t, int)> cover = [&](std::uint32_t prefix, int bits) -> int {
        const std::uint64_t mask = bits == 0 ? 0 : (0xffffffffull << (32 - bits)) & 0xffffffffull;
        bool hits = std::any_of(denied.begin(), denied.end(),
                                [&](std::uint32_t v) { return (v & mask) == prefix; });
        if (!hits) {
            scmp_arg_cmp cmp{arg, SCMP_CMP_MASKED_EQ, mask, prefix};
            return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
        }
        if (bits == 32) return 0;  // exactly a denied value: no rule
        const std::uint32_t bit = 1u << (31 - bits);
        if (int rc = cover(prefix, bits + 1)) return rc;
        return cover(prefix | bit, bits + 1);
    };
    return cover(0, 0);
}

// Allows `nr` when its first argument, an int (a socket family), is `family`:
// the kernel reads only the low 32 bits.
int allow_family(scmp_filter_ctx ctx, int nr, int family) {
    scmp_arg_cmp cmp{0, SCMP_CMP_MASKED_EQ, 0xffffffffull, static_cast<std::uint64_t>(family)};
    return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp);
}

int add_allowed(scmp_filter_ctx ctx, const std::string& name) {
    if (name == "clone3") return 0;  // handled as ENOSYS
    if (name == "ioctl")
        return allow_low32_except(ctx, SCMP_SYS(ioctl), 1, {TIOCSTI, TIOCLINUX});
    if (name == "clone") {
        scmp_arg_cmp cmp{0, SCMP_CMP_MASKED_EQ, kNamespaceFlags, 0};
        return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &cmp);
    }
    if (name.rfind("socket:", 0) == 0) {
        for (const auto& f : kSocketFamilies)
            if (name.substr(7) == f.suffix) return allow_family(ctx, SCMP_SYS(socket), f.family);
        return -EINVAL;
    }
    // Only AF_UNIX makes pairs, but any family's socket is created before
    // that is found out; a profile's socket families are its whole list.
    if (name == "socketpair") return allow_family(ctx, SCMP_SYS(socketpair), AF_UNIX);
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) return -ENOENT;
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

Result<std::shared_ptr<const SeccompProgram>> export_program(scmp_filter_ctx ctx) {
    UniqueFd mem(memfd_create("ringfence-seccomp", MFD_CLOEXEC));
    if (!mem) return internal_error("memfd_create for seccomp export", errno);
    if (int rc = seccomp_export_bpf(ctx, mem.get()); rc < 0)
        return internal_error("seccomp_export_bpf", -rc);
    off_t size = lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % sizeof(sock_filter) != 0)
        return internal_error("seccomp export produced an invalid program");
    auto program = std::make_shared<SeccompProgram>();
    program->instructions.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (pread(mem.get(), program->instructions.data(), static_cast<std::size_t>(size), 0) != size)
        return internal_error("reading exported seccomp program", errno);
    return std::shared_ptr<const SeccompProgram>(std::move(program));
}

}  // namespace

const std::vector<std::string>& forbidden_syscalls() {
    static const std::vector<std::string> names = {
        "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open",
        "keyctl", "add_key", "request_key", "userfaultfd",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
        "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
        "open_by_handle_at", "name_to_handle_at", "reboot", "swapon", "swapoff",
        "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm",
        "acct", "quotactl", "quotactl_fd", "lookup_dcookie", "vhangup", "syslog", "uselib",
        "kcmp", "pidfd_getfd", "process_madvise", "fanotify_init", "modify_ldt"};
    return names;
}

std::string check_allowable(const std::string& name) {
    const auto& forbidden = forbidden_syscalls();
    if (std::find(forbidden.begin(), forbidden.end(), name) != forbidden.end())
        return "'" + name + "' is in the fixed deny prologue and cannot be allowed by a profile";
    if (name.rfind("socket:", 0) == 0) {
        for (const auto& f : kSocketFamilies)
            if (name.substr(7) == f.suffix) return {};
        return "unknown socket family in '" + name + "'";
    }
    if (name == "socket") return "list socket families explicitly, e.g. 'socket:unix'";
    if (seccomp_syscall_resolve_name(name.c_str()) == __NR_SCMP_ERROR)
        return "unknown system call '" + name + "'";
    return {};
}

bool opens_only_unix_sockets(const std::vector<std::string>& allowed) {
    return std::none_of(allowed.begin(), allowed.end(), [](const std::string& name) {
        return name.rfind("socket:", 0) == 0 && name != "socket:unix";
    });
}

Result<std::shared_ptr<const SeccompProgram>> compile_seccomp(const std::vector<std::string>& allowed) {
    for (const auto& name : allowed)
        if (auto why = check_allowable(name); !why.empty()) return input_error(why);

    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
    if (!ctx) return internal_error("seccomp_init failed");
    struct Release {
        scmp_filter_ctx ctx;
        ~Release() { seccomp_release(ctx); }
    } release{ctx};

    // No_new_privs is set by the launcher itself, in its documented order.
    if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); rc < 0)
        return internal_error("seccomp NNP attribute", -rc);
    // A binary tree over syscall numbers: a few comparisons per call instead of a linear scan.
    if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2); rc < 0)
        return internal_error("seccomp optimize attribute", -rc);
    if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY); rc < 0)
        return internal_error("seccomp bad-arch action", -rc);
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0); rc < 0)
        return internal_error("seccomp clone3 rule", -rc);

    std::vector<std::string> names(std::begin(kAlwaysAllowed), std::end(kAlwaysAllowed));
    names.insert(names.end(), allowed.begin(), allowed.end());
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& name : names)
        if (int rc = add_allowed(ctx, name); rc < 0)
            return internal_error("seccomp rule for '" + name + "'", -rc);
    return export_program(ctx);
}

std::string syscall_name(std::uint32_t audit_arch, int nr) {
    std::uint32_t arch = audit_arch;
    int number = nr;
    // x32 calls arrive with the x86-64 arch value and bit 30 set.
    if (audit_arch == AUDIT_ARCH_X86_64 && (nr & 0x40000000)) {
        arch = SCMP_ARCH_X32;
        number = nr & ~0x40000000;
    }
    std::string prefix;
    if (arch != AUDIT_ARCH_X86_64) {
        prefix = arch == AUDIT_ARCH_I386 ? "i386:" : arch == SCMP_ARCH_X32 ? "x32:" : "foreign-arch:";
    }
    char* resolved = seccomp_syscall_resolve_num_arch(arch, number);
    std::string name = resolved ? resolved : "syscall-" + std::to_string(number);
    std::free(resolved);
    return prefix + name;
}

}  // namespace ringfence
