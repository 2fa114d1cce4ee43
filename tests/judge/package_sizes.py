#!/usr/bin/env python3
"""Estimates what the language package lists cost on a fresh Debian 12 host.

Resolves each list's dependency closure with apt-cache (Depends and Pre-Depends, no
Recommends, as setup.sh installs with --no-install-recommends), leaves out the closure
of scripts/packages-build.txt (installed anyway), and prints download and installed
sizes per list and the heaviest packages. Needs `apt-get update` to have run.
Usage: tests/judge/package_sizes.py [scripts/packages-languages.txt ...]
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")


def read_list(path):
    with open(path) as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


def closure(packages):
    out = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                          "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + packages,
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        if not line.startswith(" "):
            names.add(line.strip())
    return {n for n in names if not n.startswith("<")}  # <virtual> packages have no size


def sizes(packages):
    """{package: (download bytes, installed KiB)} for the candidate versions."""
    result = {}
    out = subprocess.run(["apt-cache", "show", "--no-all-versions"] + sorted(packages),
                         capture_output=True, text=True).stdout
    for block in out.split("\n\n"):
        name = re.search(r"^Package: (\S+)", block, re.M)
        if not name:
            continue
        size = re.search(r"^Size: (\d+)", block, re.M)
        inst = re.search(r"^Installed-Size: (\d+)", block, re.M)
        if re.search(r"^(Essential: yes|Priority: required)$", block, re.M):
            continue  # part of every Debian installation
        result[name.group(1)] = (int(size.group(1)) if size else 0, int(inst.group(1)) if inst else 0)
    return result


def report(list_path, base):
    wanted = read_list(list_path)
    pkgs = closure(wanted) - base
    table = sizes(pkgs)
    download = sum(s for s, _ in table.values())
    installed = sum(i for _, i in table.values())
    print(f"{os.path.relpath(list_path, ROOT)}: {len(wanted)} listed, {len(table)} packages beyond the build set, "
          f"download {download / 1e6:.0f} MB, installed {installed / 1024:.0f} MiB")
    for top in wanted:  # dependencies shared by several lines count in each
        own = {p for p in (closure([top]) - base) & pkgs if p in table}
        top_sizes = [table[p] for p in own]
        print(f"  {top:28s} with deps {len(own):4d} pkgs  dl {sum(s for s, _ in top_sizes) / 1e6:7.1f} MB  "
              f"installed {sum(i for _, i in top_sizes) / 1024:7.1f} MiB")


def main():
    lists = sys.argv[1:] or [os.path.join(SCRIPTS, "packages-languages-core.txt"),
                             os.path.join(SCRIPTS, "packages-languages.txt")]
    base = closure(read_list(os.path.join(SCRIPTS, "packages-build.txt")))
    for path in lists:
        report(path, base)


if __name__ == "__main__":
    main()
