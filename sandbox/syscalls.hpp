// Thin wrappers for system calls glibc 2.36 does not wrap. Each returns what
// the kernel returns (-1 and errno on failure), like the libc functions.
#pragma once

#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace ringfence::sys {

inline long clone3(clone_args* args) { return ::syscall(SYS_clone3, args, sizeof(*args)); }

inline int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Waits for (and reaps) our child behind `pidfd`, retrying on EINTR: waitid
// with P_PIDFD, which glibc 2.36 knows no name for. Its siginfo, zeroed if
// the wait failed.
inline siginfo_t reap_pidfd(int pidfd) {
    siginfo_t info{};
    while (::waitid(static_cast<idtype_t>(3), static_cast<id_t>(pidfd), &info, WEXITED | __WALL) < 0 &&
           errno == EINTR) {
    }
    return info;
}

inline int pidfd_send_signal(int pidfd, int sig) {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

inline int open_tree(int dirfd, const char* path, unsigned flags) {
    return static_cast<int>(::syscall(SYS_open_tree, dirfd, path, flags));
}

inline int move_mount(int from_dirfd, const char* from_path, int to_dirfd, const char* to_path,
                      unsigned flags) {
    return static_cast<int>(
        ::syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags));
}

inline int mount_setattr(int dirfd, const char* path, unsigned flags, mount_attr* attr) {
    return static_cast<int>(::syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr)));
}

inline int pivot_root(const char* new_root, const char* put_old) {
    return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}

inline int close_range(unsigned first, unsigned last, unsigned flags) {
    return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

inline int landlock_create_ruleset(const landlock_ruleset_attr* attr, std::size_t size,
                                   std::uint32_t flags) {
    return static_cast<int>(::syscall(SYS_landlock_create_ruleset, attr, size, flags));
}

inline int landlock_add_rule(int ruleset_fd, landlock_rule_type type, const void* attr,
                             std::uint32_t flags) {
    return static_cast<int>(::syscall(SYS_landlock_add_rule, ruleset_fd, type, attr, flags));
}

inline int landlock_restrict_self(int ruleset_fd, std::uint32_t flags) {
    return static_cast<int>(::syscall(SYS_landlock_restrict_self, ruleset_fd, flags));
}

// Credentials change through the raw system calls: glibc's setgroups,
// setresuid and setresgid broadcast the change to every thread glibc believes
// exists (__nptl_setxid), bookkeeping that a process made by a raw clone (the
// program's process, forked so by the init) must not depend on.
inline int drop_supplementary_groups() { return static_cast<int>(::syscall(SYS_setgroups, 0, nullptr)); }
inline int set_uid(uid_t uid) { return static_cast<int>(::syscall(SYS_setresuid, uid, uid, uid)); }
inline int set_gid(gid_t gid) { return static_cast<int>(::syscall(SYS_setresgid, gid, gid, gid)); }

inline int seccomp(unsigned op, unsigned flags, void* args) {
    return static_cast<int>(::syscall(SYS_seccomp, op, flags, args));
}

}  // namespace ringfence::sys
