"""Runs one compile or run step of a language profile outside Ringfence's sandbox.

Two ways to stand in for the sandbox while it is being written:
  bare:  the step runs on the host, in a temporary directory that stands for /box
         (and another for /tmp); "/box" and "/tmp" in the profile's argv and env are
         rewritten to those directories.
  bwrap: the step runs under bubblewrap with the mount layout the sandbox will have
         (read-only /usr, minimal /etc, the profile's extra mounts, writable /box and
         /tmp, no network), so missing mounts and environment show up now.
Both put the step in its own cgroup v1 (memory, cpuacct, pids) under the shared
`ringfence` subtree, so memory, CPU time and process limits are real.
  ringfence: the step runs in Ringfence's own sandbox through `ringfence run`, with a
         security profile made of the default one plus the language's extras.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field

CGROUP_ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("memory", "cpuacct", "pids")
# The host paths every sandbox gets; per-language extra mounts come on top.
BASE_MOUNTS = ["/usr", "/etc/ld.so.cache", "/etc/alternatives"]
MERGED_USR_LINKS = {"/bin": "usr/bin", "/lib": "usr/lib", "/lib64": "usr/lib64", "/sbin": "usr/sbin"}
PASSWD = "root:x:0:0:root:/root:/bin/sh\nbox:x:1000:1000:box:/box:/bin/sh\n"
GROUP = "root:x:0:\nbox:x:1000:\n"


@dataclass
class Limits:
    cpu_time_ms: int
    wall_time_ms: int
    memory_kib: int
    processes: int

    @staticmethod
    def from_profile(entry):
        return Limits(entry["cpu_time_ms"], entry["wall_time_ms"], entry["memory_kib"], entry["processes"])


@dataclass
class StepResult:
    exit_code: int = None        # None when killed by a signal
    signal: int = None
    cpu_ms: int = 0
    wall_ms: int = 0
    memory_kib: int = 0
    oom_killed: bool = False
    cpu_exceeded: bool = False
    wall_exceeded: bool = False
    stdout: bytes = b""
    stderr: bytes = b""
    missing: str = None          # the executable was not found
    violation: str = None        # ringfence mode: the blocked system call
    notes: list = field(default_factory=list)


class Cgroup:
    """One cgroup per step under <controller>/ringfence/; removed on close()."""
    _counter = 0

    def __init__(self, limits):
        Cgroup._counter += 1
        name = f"verify-toolchains-{os.getpid()}-{Cgroup._counter}"
        self.paths = {}
        for ctrl in CONTROLLERS:
            parent = os.path.join(CGROUP_ROOT, ctrl, "ringfence")
            path = os.path.join(parent, name)
            try:
                os.makedirs(parent, exist_ok=True)
                os.mkdir(path)
            except OSError:
                continue
            self.paths[ctrl] = path
        mem = limits.memory_kib * 1024
        self._write("memory", "memory.limit_in_bytes", mem)
        self._write("memory", "memory.memsw.limit_in_bytes", mem)  # no swap escape
        self._write("pids", "pids.max", limits.processes)

    def _write(self, ctrl, knob, value):
        if ctrl in self.paths:
            try:
                with open(os.path.join(self.paths[ctrl], knob), "w") as f:
                    f.write(str(value))
            except OSError:
                pass

    def _read(self, ctrl, knob):
        try:
            with open(os.path.join(self.paths[ctrl], knob)) as f:
                return f.read()
        except (OSError, KeyError):
            return ""

    def attach_self(self):  # runs in the child between fork and exec
        for path in self.paths.values():
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write("0")

    def cpu_ms(self):
        value = self._read("cpuacct", "cpuacct.usage").strip()
        return int(value) // 1_000_000 if value else None

    def peak_kib(self):
        value = self._read("memory", "memory.max_usage_in_bytes").strip()
        return int(value) // 1024 if value else 0

    def oom_kills(self):
        match = re.search(r"oom_kill (\d+)", self._read("memory", "memory.oom_control"))
        return int(match.group(1)) if match else 0

    def kill_all(self):
        for _ in range(50):
            pids = [int(p) for p in self._read("pids", "cgroup.procs").split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def close(self):
        self.kill_all()
        for path in self.paths.values():
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except OSError:
                    time.sleep(0.02)


def map_sandbox_paths(text, box_dir, tmp_dir):
    """bare mode: /box and /tmp at the start of a value or after '=' or ':'."""
    text = re.sub(r"(^|[=:])/box(?=/|$|:)", lambda m: m.group(1) + box_dir, text)
    return re.sub(r"(^|[=:])/tmp(?=/|$|:)", lambda m: m.group(1) + tmp_dir, text)


def bwrap_prefix(sandbox, env, box_binds, etc_dir):
    """bubblewrap argv approximating the sandbox's mount table."""
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--tmpfs", "/"]
    for path in BASE_MOUNTS:
        argv += ["--ro-bind", path, path]
    for link, target in MERGED_USR_LINKS.items():
        argv += ["--symlink", target, link]
    argv += ["--ro-bind", os.path.join(etc_dir, "passwd"), "/etc/passwd",
             "--ro-bind", os.path.join(etc_dir, "group"), "/etc/group"]
    for mount in (sandbox or {}).get("extra_mounts", []):
        flag = "--ro-bind-try" if mount.get("optional") else "--ro-bind"
        argv += [flag, mount["source"], mount["target"]]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    argv += box_binds
    argv += ["--remount-ro", "/", "--chdir", "/box", "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return argv + ["--"]


def prepare_etc(work_dir):
    etc_dir = os.path.join(work_dir, "etc")
    os.makedirs(etc_dir, exist_ok=True)
    for name, text in (("passwd", PASSWD), ("group", GROUP)):
        with open(os.path.join(etc_dir, name), "w") as f:
            f.write(text)
    return etc_dir


def execute(argv, env, cwd, limits, stdin_bytes, work_dir, strace_to=None):
    """Runs argv in its own cgroup, enforcing limits; never raises for the child's faults."""
    result = StepResult()
    stdin_path = os.path.join(work_dir, "stdin")
    out_path, err_path = os.path.join(work_dir, "stdout"), os.path.join(work_dir, "stderr")
    with open(stdin_path, "wb") as f:
        f.write(stdin_bytes)
    if strace_to:
        argv = ["strace", "-f", "-q", "-s", "256", "-o", strace_to] + argv  # -q keeps exit lines
    if shutil.which(argv[0], path=env.get("PATH", "")) is None and not os.path.isabs(argv[0]) \
            and not argv[0].startswith("./"):
        result.missing = argv[0]
        return result
    cgroup = Cgroup(limits)
    start = time.monotonic()
    try:
        with open(stdin_path, "rb") as fin, open(out_path, "wb") as fout, open(err_path, "wb") as ferr:
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=fin, stdout=fout, stderr=ferr,
                                    preexec_fn=cgroup.attach_self, start_new_session=True)
    except FileNotFoundError:
        cgroup.close()
        result.missing = argv[0]
        return result
    while proc.poll() is None:
        elapsed_ms = (time.monotonic() - start) * 1000
        cpu = cgroup.cpu_ms()
        if cpu is not None and cpu > limits.cpu_time_ms:
            result.cpu_exceeded = True
        elif elapsed_ms > limits.wall_time_ms:
            result.wall_exceeded = True
        if result.cpu_exceeded or result.wall_exceeded:
            cgroup.kill_all()
            proc.wait()
            break
        time.sleep(0.01)
    result.wall_ms = int((time.monotonic() - start) * 1000)
    cgroup.kill_all()  # daemons a step left behind (none expected)
    status = proc.returncode
    result.exit_code, result.signal = (status, None) if status >= 0 else (None, -status)
    result.cpu_ms = cgroup.cpu_ms() or 0
    result.memory_kib = cgroup.peak_kib()
    result.oom_killed = cgroup.oom_kills() > 0
    cgroup.close()
    with open(out_path, "rb") as f:
        result.stdout = f.read()
    with open(err_path, "rb") as f:
        result.stderr = f.read()
    return result


def ringfence_profile(profiles_dir, name, sandbox, root):
    """Writes sandbox/NAME.json: the default security profile plus a language's extras."""
    os.makedirs(os.path.join(profiles_dir, "sandbox"), exist_ok=True)
    os.makedirs(os.path.join(profiles_dir, "seccomp"), exist_ok=True)
    with open(os.path.join(root, "profiles", "sandbox", (sandbox or {}).get("profile", "default") + ".json")) as f:
        doc = json.load(f)
    shutil.copyfile(os.path.join(root, "profiles", "seccomp", "groups.json"),
                    os.path.join(profiles_dir, "seccomp", "groups.json"))
    sandbox = sandbox or {}
    doc["name"] = name
    doc["mounts"] = doc.get("mounts", []) + sandbox.get("extra_mounts", [])
    doc["syscall_groups"] = doc.get("syscall_groups", []) + sandbox.get("extra_syscall_groups", [])
    doc["syscalls"] = doc.get("syscalls", []) + sandbox.get("extra_syscalls", [])
    with open(os.path.join(profiles_dir, "sandbox", name + ".json"), "w") as f:
        json.dump(doc, f, indent=1)


RINGFENCE_STATUS = {"memory_limit": "oom_killed", "time_limit": "cpu_exceeded",
                    "wall_time_limit": "wall_exceeded"}


def execute_ringfence(binary, argv, env, limits, stdin_bytes, work_dir, profiles_dir, profile,
                      workdir=None, binds=()):
    """Runs one step through `ringfence run` (the real sandbox) and reads its result JSON."""
    result = StepResult()
    stdin_path, result_path = os.path.join(work_dir, "stdin"), os.path.join(work_dir, "result.json")
    with open(stdin_path, "wb") as f:
        f.write(stdin_bytes)
    cmd = [binary, "run", "--profiles-dir", profiles_dir, "--profile", profile,
           "--cpu-time", f"{limits.cpu_time_ms / 1000:.3f}", "--wall-time", f"{limits.wall_time_ms / 1000:.3f}",
           "--memory", str(max(1, limits.memory_kib // 1024)), "--processes", str(limits.processes),
           "--stdin", stdin_path, "--result", result_path]
    if workdir:
        cmd += ["--workdir", workdir]
    for host, inside in binds:
        cmd += ["--bind-ro", f"{host}:{inside}"]
    for key, value in env.items():
        cmd += ["--env", f"{key}={value}"]
    proc = subprocess.run(cmd + ["--"] + argv, capture_output=True,
                          timeout=limits.wall_time_ms / 1000 + 30)
    result.stdout, result.stderr = proc.stdout, proc.stderr
    if proc.returncode != 0 or not os.path.exists(result_path):
        result.notes.append(f"ringfence run exited {proc.returncode}")
        result.exit_code = 125
        return result
    with open(result_path) as f:
        doc = json.load(f)
    result.exit_code, result.signal = doc.get("exit_code"), doc.get("signal") or None
    result.cpu_ms, result.wall_ms = doc.get("cpu_time_ms", 0), doc.get("wall_time_ms", 0)
    result.memory_kib = doc.get("memory_kib", 0)
    status = doc.get("status")
    if status in RINGFENCE_STATUS:
        setattr(result, RINGFENCE_STATUS[status], True)
    elif status == "security_violation":
        result.violation = doc.get("violation") or "?"
    elif status not in ("ok", "nonzero_exit", "signaled"):
        result.notes.append(f"status {status}: {doc.get('error')}")
        result.exit_code = result.exit_code if result.exit_code not in (None, 0) else 125
    return result
