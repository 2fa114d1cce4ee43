#!/usr/bin/env bash
# A tour of `ringfence run`. Run from anywhere after building:
#   examples/run/basics.sh [path/to/ringfence]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ringfence=${1:-$here/../../build/server/cli/ringfence}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

echo "== a Python one-liner, result JSON on stdout after the program's output"
"$ringfence" run --cpu-time 1 --memory 64 --result - -- /usr/bin/python3 -c 'print(6 * 7)'

echo "== compile in one sandbox, run in another (the workdir is /box, read-write)"
cp "$here/sum.c" "$work/"
"$ringfence" run --workdir "$work" -- /usr/bin/gcc -O2 -o sum sum.c
echo "20 22" > "$work/input.txt"
"$ringfence" run --workdir "$work" --stdin "$work/input.txt" -- ./sum

echo "== an infinite loop stops at the CPU limit"
"$ringfence" run --cpu-time 0.5 --result - -- /usr/bin/python3 -c 'while True: pass'

echo "== a blocked system call is named"
"$ringfence" run --result - -- /usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", 22))' || true

echo "== what the program sees: its own uid, no capabilities, a read-only root"
"$ringfence" run -- /bin/sh -c 'id; grep Cap /proc/self/status; touch /etc/x 2>&1; ls /'
