#!/usr/bin/env python3
"""Checks every profiles/languages/*.json against the installed toolchain.

For each profile: run its version command and regex, compile and run its smoke
program, then the a+b programs in tests/judge/programs/ID/ (ac, wa, ce, re, tle, and
mle / static100 where present), and print one table row with the verdicts.
Everything is read from the JSON profiles, so this tests the data, not a copy of it.
See tests/judge/README.md for the modes (bare, bwrap) and the strace collection.
"""
import argparse
import glob
import json
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import syscall_report  # noqa: E402
from toolchain_runner import (Limits, bwrap_prefix, execute, execute_ringfence,  # noqa: E402
                              map_sandbox_paths, prepare_etc, ringfence_profile)

ROOT = os.path.dirname(os.path.dirname(HERE))
PROFILES = os.path.join(ROOT, "profiles")
PROGRAMS = os.path.join(HERE, "programs")
A_PLUS_B_IN, A_PLUS_B_OUT = b"1000000000 2000000000\n", "3000000000"
MLE_LIMIT_KIB = 64 * 1024
STATIC100_LIMIT_KIB = 256 * 1024
STATIC100_TOLERANCE_KIB = 3 * 1024
REQUIRED_KEYS = ("id", "name", "version_command", "version_regex", "packages", "core", "source_file",
                 "compile", "default_flags", "allowed_flags", "run", "artifacts", "env", "sandbox",
                 "memory", "limits", "judge0", "piston", "smoke")


def check_schema(profile, path, seen_judge0, seen_piston):
    problems = [f"missing key {key}" for key in REQUIRED_KEYS if key not in profile]
    if profile.get("id") != os.path.basename(path)[:-5]:
        problems.append("id differs from the file name")
    if profile.get("compile") is not None and "compile" not in profile.get("limits", {}):
        problems.append("compiled language without limits.compile")
    for entry in profile.get("judge0", []):
        if entry["id"] in seen_judge0:
            problems.append(f"judge0 id {entry['id']} also in {seen_judge0[entry['id']]}")
        seen_judge0[entry["id"]] = profile.get("id")
    piston = profile.get("piston", {})
    for name in [piston.get("language")] + piston.get("aliases", []):
        if name in seen_piston:
            problems.append(f"piston name {name} also in {seen_piston[name]}")
        seen_piston[name] = profile.get("id")
    if not os.path.isfile(os.path.join(PROFILES, profile.get("smoke", {}).get("source", ""))):
        problems.append("smoke source missing")
    return problems


class Language:
    def __init__(self, profile, mode, work_root, strace_dir, ringfence=None):
        self.p = profile
        self.mode = mode
        self.ringfence = ringfence
        self.work = tempfile.mkdtemp(prefix=profile["id"] + "-", dir=work_root)
        self.etc = prepare_etc(self.work)
        self.strace_dir = strace_dir
        self.steps = 0
        if mode == "ringfence":
            self.profiles_dir = os.path.join(self.work, "profiles")
            for phase, key in (("compile", "compile_sandbox"), ("run", "sandbox")):
                ringfence_profile(self.profiles_dir, f"lang-{phase}", profile.get(key) or profile["sandbox"], ROOT)

    def _dirs(self, label):
        self.steps += 1
        base = os.path.join(self.work, f"{self.steps:02d}-{label}")
        box, tmp = os.path.join(base, "box"), os.path.join(base, "tmp")
        os.makedirs(box)
        os.makedirs(tmp)
        return base, box, tmp

    def _exec(self, argv, sandbox, base, box, tmp, limits, stdin, box_binds, trace=None, artifacts=None):
        env = dict(self.p["env"])
        if self.mode == "ringfence":
            phase = "run" if artifacts is not None else "compile"
            return execute_ringfence(self.ringfence, argv, env, limits, stdin, base, self.profiles_dir,
                                     f"lang-{phase}", workdir=None if artifacts is not None else box,
                                     binds=artifacts or ())
        if trace:  # ptrace stops slow a runtime down several times over; strace is one more process
            limits = Limits(limits.cpu_time_ms * 5, limits.wall_time_ms * 5, limits.memory_kib, limits.processes + 1)
        if self.mode == "bare":
            argv = [map_sandbox_paths(a, box, tmp) for a in argv]
            env = {k: map_sandbox_paths(v, box, tmp) for k, v in env.items()}
            return execute(argv, env, box, limits, stdin, base, trace)
        prefix = bwrap_prefix(sandbox, env, box_binds, self.etc)
        host_env = {"PATH": "/usr/bin:/bin"}
        # bubblewrap's own monitor and init processes share the pids cgroup.
        limits = Limits(limits.cpu_time_ms, limits.wall_time_ms, limits.memory_kib, limits.processes + 2)
        return execute(prefix + argv, host_env, box, limits, stdin, base, trace)

    def version(self):
        if shutil.which(self.p["version_command"][0], path=self.p["env"].get("PATH", "")) is None:
            return None
        base, box, tmp = self._dirs("version")
        limits = Limits(10000, 20000, 1048576, 64)
        res = self._exec(self.p["version_command"], self.p["sandbox"], base, box, tmp, limits, b"",
                         ["--bind", box, "/box"])
        if res.missing:
            return None
        match = re.search(self.p["version_regex"], (res.stdout + res.stderr).decode(errors="replace"))
        return match.group(1) if match else "?"

    def compile(self, source_path, label, trace=None):
        """Returns (compile StepResult or None, box dir holding the artifacts)."""
        base, box, tmp = self._dirs("compile-" + label)
        shutil.copyfile(source_path, os.path.join(box, self.p["source_file"]))
        if self.p["compile"] is None:
            return None, box
        argv = []
        for arg in self.p["compile"]:
            argv += self.p["default_flags"] if arg == "{flags}" else [arg]
        limits = Limits.from_profile(self.p["limits"]["compile"]["default"])
        sandbox = self.p.get("compile_sandbox", self.p["sandbox"])
        res = self._exec(argv, sandbox, base, box, tmp, limits, b"", ["--bind", box, "/box"], trace)
        return res, box

    def artifacts(self, compiled_box):
        names = self.p["artifacts"]
        if names == ["*"]:
            return sorted(os.listdir(compiled_box))
        return [n for n in names if os.path.exists(os.path.join(compiled_box, n))]

    def run(self, compiled_box, stdin, label, limits=None, trace=None):
        base, box, tmp = self._dirs("run-" + label)
        binds, artifacts = ["--tmpfs", "/box"], []
        for name in self.artifacts(compiled_box):
            src = os.path.join(compiled_box, name)
            if self.mode == "bare":
                (shutil.copytree if os.path.isdir(src) else shutil.copy2)(src, os.path.join(box, name))
            binds += ["--ro-bind", src, "/box/" + name]
            artifacts.append((src, "/box/" + name))
        limits = limits or Limits.from_profile(self.p["limits"]["run"]["default"])
        return self._exec(self.p["run"], self.p["sandbox"], base, box, tmp, limits, stdin, binds, trace, artifacts)


def verdict(res, expected):
    if res.missing:
        return "MISSING"
    if res.violation:
        return f"SV({res.violation})"
    if res.oom_killed:
        return "MLE"
    if res.cpu_exceeded or res.wall_exceeded:
        return "TLE"
    if res.signal is not None or res.exit_code != 0:
        return "RE"
    if expected is None:
        return "OK"
    got = [line.rstrip() for line in res.stdout.decode(errors="replace").rstrip("\n").split("\n")]
    want = [line.rstrip() for line in expected.rstrip("\n").split("\n")]
    return "AC" if got == want else "WA"


def program(lang_id, kind):
    found = glob.glob(os.path.join(PROGRAMS, lang_id, kind + ".*"))
    return found[0] if found else None


def check_language(lang, strace_dir, show_errors):
    p = lang.p
    row = {"id": p["id"], "version": lang.version()}
    if row["version"] is None:
        row["status"] = "unavailable"
        return row
    smoke = p["smoke"]
    comp, box = lang.compile(os.path.join(PROFILES, smoke["source"]), "smoke")
    if comp is not None and verdict(comp, None) != "OK":
        row["smoke"] = "CE"
    else:
        res = lang.run(box, smoke["stdin"].encode(), "smoke")
        row["smoke"] = "ok" if res.exit_code == 0 and res.stdout.decode() == smoke["expected_stdout"] else "FAIL"
    interpreted = p["compile"] is None
    expectations = {"ac": "AC", "wa": "WA", "ce": "RE" if interpreted else "CE", "re": "RE", "tle": "TLE",
                    "mle": "MLE", "static100": "AC"}
    for kind, want in expectations.items():
        source = program(p["id"], kind)
        if source is None:
            continue
        trace = strace_dir if kind == "ac" else None
        comp, box = lang.compile(source, kind, trace and os.path.join(trace, f"{p['id']}.compile.trace"))
        if comp is not None:
            row.setdefault("compile_ms", {})[kind] = comp.wall_ms
            row.setdefault("compile_cpu_ms", {})[kind] = comp.cpu_ms
        if comp is not None and verdict(comp, None) != "OK":
            got = "CE"
            if show_errors and kind != "ce":
                print(f"--- {p['id']} {kind} compile: exit={comp.exit_code} {comp.notes}\n"
                      f"{comp.stderr.decode(errors='replace')[-2000:]}"
                      f"{comp.stdout.decode(errors='replace')[-1000:]}", file=sys.stderr)
        else:
            limits = None
            if kind in ("mle", "static100"):
                limits = Limits.from_profile(p["limits"]["run"]["default"])
                limits.memory_kib = MLE_LIMIT_KIB if kind == "mle" else STATIC100_LIMIT_KIB
            res = lang.run(box, A_PLUS_B_IN, kind, limits,
                           trace and os.path.join(trace, f"{p['id']}.run.trace"))
            got = verdict(res, A_PLUS_B_OUT)
            if kind == "ac":
                row["ac_cpu_ms"], row["ac_wall_ms"], row["ac_mem_kib"] = res.cpu_ms, res.wall_ms, res.memory_kib
            if kind == "static100":
                row["static100_mem_kib"] = res.memory_kib
                if abs(res.memory_kib - 100 * 1024) > STATIC100_TOLERANCE_KIB:
                    got += f"(mem {res.memory_kib // 1024}MiB)"
            if show_errors and got != want:
                print(f"--- {p['id']} {kind}: {got} exit={res.exit_code} sig={res.signal} {res.notes}\n"
                      f"stdout: {res.stdout[-500:]!r}\nstderr: {res.stderr.decode(errors='replace')[-2000:]}",
                      file=sys.stderr)
        row[kind] = got if got == want else f"{got}!={want}"
    row["status"] = "ok" if row["smoke"] == "ok" and all(
        "!=" not in str(row.get(k, "")) for k in expectations) else "FAIL"
    return row


def compare_syscalls(profile, trace_dir):
    """Warns where a profile's extra_syscalls and the traced evidence disagree."""
    for phase, key in (("compile", "compile_sandbox"), ("run", "sandbox")):
        if phase == "compile" and profile["compile"] is None:
            continue
        needed, probes = syscall_report.extras(os.path.join(trace_dir, f"{profile['id']}.{phase}.trace"))
        listed = set((profile.get(key) or {}).get("extra_syscalls", []))
        if set(needed) - listed:
            print(f"{profile['id']} {key}.extra_syscalls lacks {sorted(set(needed) - listed)}"
                  f" (the default filter would stop the program)", file=sys.stderr)
        unseen = listed - set(needed) - set(probes)
        if unseen or set(probes) - listed:
            print(f"{profile['id']} {key}: listed but not traced {sorted(unseen)}; probes that failed anyway"
                  f" {probes} (allow them or make the filter answer with an error)", file=sys.stderr)


def print_table(rows):
    cols = ["id", "version", "smoke", "ac", "wa", "ce", "re", "tle", "mle", "static100", "compile_s",
            "compile_cpu_s", "ac_cpu_ms", "ac_wall_ms", "ac_mem_MiB", "status"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        comp = row.get("compile_ms", {}).get("ac")
        comp_cpu = row.get("compile_cpu_ms", {}).get("ac")
        cells = dict(row, compile_s=f"{comp / 1000:.2f}" if comp is not None else "-",
                     compile_cpu_s=f"{comp_cpu / 1000:.2f}" if comp_cpu is not None else "-",
                     ac_mem_MiB=f"{row['ac_mem_kib'] / 1024:.1f}" if "ac_mem_kib" in row else "-")
        print("| " + " | ".join(str(cells.get(c, "-")) for c in cols) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", help="profile ids (default: all)")
    parser.add_argument("--mode", choices=("bare", "bwrap", "ringfence"), default="bare")
    parser.add_argument("--ringfence", metavar="BIN", default=os.path.join(ROOT, "build", "server", "cli", "ringfence"),
                        help="the ringfence binary for --mode ringfence")
    parser.add_argument("--strace", metavar="DIR", help="trace compile and run of ac (bare mode) into DIR")
    parser.add_argument("--syscalls-out", metavar="DIR", help="with --strace: write ID.txt syscall lists here")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--show-errors", action="store_true", help="print output of unexpected verdicts")
    args = parser.parse_args()
    paths = sorted(glob.glob(os.path.join(PROFILES, "languages", "*.json")))
    if args.ids:
        paths = [p for p in paths if os.path.basename(p)[:-5] in args.ids]
    work_root = tempfile.mkdtemp(prefix="verify-toolchains-")
    seen_judge0, seen_piston, rows, schema_failures = {}, {}, [], 0
    try:
        for path in paths:
            with open(path) as f:
                profile = json.load(f)
            problems = check_schema(profile, path, seen_judge0, seen_piston)
            if problems:
                schema_failures += 1
                print(f"{path}: " + "; ".join(problems), file=sys.stderr)
            if args.strace:
                os.makedirs(args.strace, exist_ok=True)
            lang = Language(profile, args.mode, work_root, args.strace, args.ringfence)
            row = check_language(lang, args.strace, args.show_errors)
            rows.append(row)
            print(f"{row['id']}: {row.get('status')}", file=sys.stderr, flush=True)
            if args.strace and args.syscalls_out and row.get("status") != "unavailable":
                syscall_report.write_report(profile["id"], args.strace, args.syscalls_out)
                compare_syscalls(profile, args.strace)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    print_table(rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    failed = [r["id"] for r in rows if r.get("status") == "FAIL"]
    unavailable = [r["id"] for r in rows if r.get("status") == "unavailable"]
    print(f"\n{len(rows) - len(failed) - len(unavailable)} passed, {len(failed)} failed"
          f"{', ' + str(len(unavailable)) + ' skipped' if unavailable else ''}")
    if failed:
        print("failed: " + " ".join(failed))
    if unavailable:
        print("unavailable (toolchain not installed): " + " ".join(unavailable))
    return 1 if failed or schema_failures else 0


if __name__ == "__main__":
    sys.exit(main())
