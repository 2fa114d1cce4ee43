"""Turns `strace -f` traces of a profile's compile and run into tests/judge/syscalls/ID.txt.

For each phase it lists every system call seen (sorted, with call and failure counts),
the ones beyond what profiles/sandbox/default.json allows (ORDINARY below), the notable
arguments (socket families, clone namespace flags,
prctl/personality/madvise operations) and the host paths touched outside /usr, /box
and /tmp, which are the candidates for extra mounts.
"""
import collections
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Answered by the default filter itself (ENOSYS), so that glibc falls back to clone.
HANDLED_BY_FILTER = {"clone3"}


def default_allowed():
    """The system calls profiles/sandbox/default.json allows, its groups expanded."""
    with open(os.path.join(ROOT, "profiles", "sandbox", "default.json")) as f:
        default = json.load(f)
    with open(os.path.join(ROOT, "profiles", "seccomp", "groups.json")) as f:
        groups = json.load(f)
    names = set(default.get("syscalls", []))
    for group in default.get("syscall_groups", []):
        names.update(groups[group])
    # "socket:unix" is socket() for AF_UNIX only; other families are noted separately.
    return {name.split(":")[0] for name in names} | HANDLED_BY_FILTER


ORDINARY = default_allowed()
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
EXITED = re.compile(r"^(\d+)\s+\+\+\+ (exited|killed)")
FILE_CALLS = {"open", "openat", "openat2", "creat", "stat", "lstat", "newfstatat", "statx", "statfs", "access",
              "faccessat", "faccessat2", "readlink", "readlinkat", "execve", "execveat", "mkdir", "mkdirat",
              "unlink", "unlinkat", "rename", "renameat", "renameat2", "chdir", "truncate", "chmod",
              "fchmodat", "utimensat", "symlink", "symlinkat", "link", "linkat", "rmdir", "connect", "bind"}
QUIET_PREFIXES = ("/usr/", "/lib/", "/lib64/", "/bin/", "/sbin/", "/proc/", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/tty",
                  "/etc/ld.so.cache", "/etc/ld.so.preload", "/etc/alternatives/")


def parse(trace_path):
    calls, fails, notes, paths = collections.Counter(), collections.Counter(), set(), set()
    pending, pids, alive, peak = {}, set(), set(), 0
    with open(trace_path, errors="replace") as f:
        for raw in f:
            gone = EXITED.match(raw)
            if gone:
                alive.discard(gone.group(1))
                continue
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            alive.add(m.group(1))
            peak = max(peak, len(alive))
            pid, name, kind, rest = m.groups()
            pids.add(pid)
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
            for path in PATH_ARG.findall(rest) if name in FILE_CALLS else ():
                path = re.sub(r"^/tmp/verify-toolchains-[^/]+/[^/]+/[^/]+/(box|tmp)", r"/\1", path)
                if not path.startswith(QUIET_PREFIXES + ("/box", "/tmp")) and path not in ("/usr", "/"):
                    paths.add(path)
    notes.add(f"processes and threads: {len(pids)} over the step, at most {peak} alive at once")
    return calls, fails, notes, paths


def note(name, args, notes):
    if name == "socket":
        family = args.split(",")[0].strip()
        notes.add("socket " + family + ("" if family == "AF_UNIX" else " (not allowed by default: needs an error"
                                         " return, e.g. EAFNOSUPPORT, not a kill)"))
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
        flag += " (the default filter answers ENOSYS)" if name in HANDLED_BY_FILTER else ""
        failed = f" (failed {fails[name]})" if fails[name] else ""
        out.append(f"{name} {calls[name]}{failed}{flag}")
    extra = sorted(n for n in calls if n not in ORDINARY)
    out.append(f"### beyond the default profile: {' '.join(extra) if extra else '(none)'}")
    out.append(f"### always failed (a probe; an error return is enough): "
               f"{' '.join(n for n in extra if fails[n] == calls[n]) or '(none)'}")
    out.append("### notable arguments: " + ("; ".join(sorted(notes)) if notes else "(none)"))
    out.append("### host paths outside /usr, /box, /tmp, /proc:")
    out.extend("  " + p for p in sorted(paths))
    return "\n".join(out) + "\n"


SOCKET_FAMILIES = {"AF_INET": "socket:inet", "AF_INET6": "socket:inet6", "AF_NETLINK": "socket:netlink"}


def extras(trace_path):
    """(needed, probes): calls beyond the default profile that succeeded at least once, with
    non-unix socket families as "socket:FAMILY"; and those that always failed."""
    if not os.path.exists(trace_path):
        return [], []
    calls, fails, notes, _ = parse(trace_path)
    beyond = sorted(n for n in calls if n not in ORDINARY)
    needed = [n for n in beyond if fails[n] < calls[n]]
    needed += sorted(SOCKET_FAMILIES[f] for f in SOCKET_FAMILIES if any(n.startswith(f"socket {f} ") for n in notes))
    return needed, [n for n in beyond if fails[n] == calls[n]]


def write_report(lang_id, trace_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    text = [f"# {lang_id}: system calls seen under strace -f (compile of ac, then a run of ac)\n"]
    text.append(phase_text("compile", os.path.join(trace_dir, f"{lang_id}.compile.trace")))
    text.append(phase_text("run", os.path.join(trace_dir, f"{lang_id}.run.trace")))
    with open(os.path.join(out_dir, f"{lang_id}.txt"), "w") as f:
        f.write("\n".join(text))


if __name__ == "__main__":
    write_report(sys.argv[1], sys.argv[2], sys.argv[3])
