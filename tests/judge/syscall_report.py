"""Turns `strace -f` traces of a profile's compile and run into tests/judge/syscalls/ID.txt.

For each phase it lists every system call seen (sorted, with call and failure counts),
the ones beyond the ordinary set that the default seccomp profile is expected to allow
(ORDINARY below), the notable arguments (socket families, clone namespace flags,
prctl/personality/madvise operations) and the host paths touched outside /usr, /box
and /tmp, which are the candidates for extra mounts.
"""
import collections
import os
import re
import sys

# What an ordinary C, C++ or Python program needs; the default profile allows these
# (file I/O, memory, signals, threads via clone without namespace flags, futex, pipes,
# poll/epoll, time, getrandom, AF_UNIX sockets, process and resource queries).
ORDINARY = set("""
read write readv writev pread64 pwrite64 preadv pwritev preadv2 pwritev2 open openat openat2 close close_range
creat lseek stat fstat lstat newfstatat statx statfs fstatfs access faccessat faccessat2 readlink readlinkat
getdents getdents64 getcwd chdir fchdir mkdir mkdirat rmdir unlink unlinkat rename renameat renameat2
link linkat symlink symlinkat chmod fchmod fchmodat umask truncate ftruncate fsync fdatasync fallocate
fadvise64 sendfile copy_file_range splice tee dup dup2 dup3 fcntl ioctl flock utimensat futimesat utime
mmap munmap mprotect mremap brk madvise msync mincore mlock munlock membarrier
rt_sigaction rt_sigprocmask rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigqueueinfo sigaltstack kill tgkill tkill
pause alarm clone clone3 fork vfork execve execveat wait4 waitid exit exit_group set_tid_address
set_robust_list get_robust_list rseq futex futex_waitv sched_yield sched_getaffinity sched_getparam
sched_getscheduler sched_get_priority_max sched_get_priority_min nanosleep clock_nanosleep clock_gettime
clock_getres gettimeofday time times getrusage getrlimit prlimit64 setrlimit getpid getppid gettid getuid
geteuid getgid getegid getgroups getresuid getresgid getpgrp getpgid getsid setpgid setsid uname sysinfo
arch_prctl prctl getrandom pipe pipe2 poll ppoll select pselect6 epoll_create epoll_create1 epoll_ctl
epoll_wait epoll_pwait epoll_pwait2 eventfd eventfd2 timerfd_create timerfd_settime timerfd_gettime
signalfd signalfd4 socket socketpair connect bind listen accept accept4 sendto recvfrom sendmsg recvmsg
shutdown getsockname getpeername getsockopt setsockopt restart_syscall getcpu getpriority
inotify_init1 inotify_add_watch inotify_rm_watch memfd_create
""".split())
# Calls whose presence must be discussed before allowing them.
DANGEROUS = {"ptrace", "personality", "io_uring_setup", "io_uring_enter", "io_uring_register", "mbind",
             "set_mempolicy", "get_mempolicy", "migrate_pages", "move_pages", "sched_setaffinity",
             "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "keyctl", "add_key",
             "request_key", "bpf", "perf_event_open", "userfaultfd", "process_vm_readv",
             "process_vm_writev", "kcmp", "seccomp", "init_module", "finit_module", "open_by_handle_at",
             "name_to_handle_at", "setuid", "setgid", "setresuid", "setresgid", "setgroups", "capset",
             "sched_setscheduler", "sched_setparam", "setpriority", "ioprio_set", "syslog", "vhangup",
             "fanotify_init", "pidfd_open", "pidfd_getfd", "pidfd_send_signal"}
LINE = re.compile(r"^(\d+)\s+(?:<\.\.\. )?([a-z_][a-z0-9_]*)(\(| resumed>)(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+|\?|0x[0-9a-f]+)(?:\s+([A-Z]+))?")
PATH_ARG = re.compile(r'"(/[^"]*)"')
QUIET_PREFIXES = ("/usr/", "/proc/", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/tty",
                  "/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/alternatives/")


def parse(trace_path, box_dirs=()):
    calls, fails, notes, paths = collections.Counter(), collections.Counter(), set(), set()
    pending = {}
    with open(trace_path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, name, kind, rest = m.groups()
            if kind == "(":
                calls[name] += 1
                pending[pid] = rest
            else:
                rest = pending.pop(pid, "") + rest
            if rest.endswith("<unfinished ...>"):
                continue
            r = RESULT.search(rest)
            if r and r.group(1) == "-1":
                fails[name] += 1
            note(name, rest, notes)
            for path in PATH_ARG.findall(rest):
                for box in box_dirs:
                    path = path.replace(box, "<box>")
                if not path.startswith(QUIET_PREFIXES + ("<box>",)) and path not in ("/usr", "/"):
                    paths.add(re.sub(r"/tmp/verify-toolchains-[^/]+/[^/]+/[^/]+/(box|tmp)", r"<\1>", path))
    return calls, fails, notes, paths


def note(name, args, notes):
    if name == "socket":
        notes.add("socket " + args.split(",")[0].strip())
    elif name in ("clone", "clone3", "unshare") and "CLONE_NEW" in args:
        notes.add(f"{name} with namespace flags: " + ",".join(sorted(set(re.findall(r"CLONE_NEW[A-Z]+", args)))))
    elif name in ("prctl", "personality", "arch_prctl"):
        notes.add(f"{name} " + args.split(",")[0].split(")")[0].strip())
    elif name == "madvise":
        flag = re.search(r"MADV_[A-Z_]+", args)
        if flag:
            notes.add("madvise " + flag.group(0))


def phase_text(title, trace_path):
    if not os.path.exists(trace_path):
        return f"## {title}: no trace\n"
    calls, fails, notes, paths = parse(trace_path)
    out = [f"## {title}: {len(calls)} distinct system calls"]
    for name in sorted(calls):
        flag = " DANGEROUS" if name in DANGEROUS else (" extra" if name not in ORDINARY else "")
        failed = f" (failed {fails[name]})" if fails[name] else ""
        out.append(f"{name} {calls[name]}{failed}{flag}")
    extra = sorted(n for n in calls if n not in ORDINARY)
    out.append(f"### beyond ordinary: {' '.join(extra) if extra else '(none)'}")
    out.append(f"### always failed (a probe; an error return is enough): "
               f"{' '.join(n for n in extra if fails[n] == calls[n]) or '(none)'}")
    out.append("### notable arguments: " + ("; ".join(sorted(notes)) if notes else "(none)"))
    out.append("### host paths outside /usr, /box, /tmp, /proc:")
    out.extend("  " + p for p in sorted(paths))
    return "\n".join(out) + "\n"


def extras(trace_path):
    """System calls beyond ORDINARY that succeeded at least once (must be allowed)."""
    if not os.path.exists(trace_path):
        return [], []
    calls, fails, _, _ = parse(trace_path)
    beyond = sorted(n for n in calls if n not in ORDINARY)
    return [n for n in beyond if fails[n] < calls[n]], [n for n in beyond if fails[n] == calls[n]]


def write_report(lang_id, trace_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    text = [f"# {lang_id}: system calls seen under strace -f (compile of ac, then a run of ac)\n"]
    text.append(phase_text("compile", os.path.join(trace_dir, f"{lang_id}.compile.trace")))
    text.append(phase_text("run", os.path.join(trace_dir, f"{lang_id}.run.trace")))
    with open(os.path.join(out_dir, f"{lang_id}.txt"), "w") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    write_report(sys.argv[1], sys.argv[2], sys.argv[3])
