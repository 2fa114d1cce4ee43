#!/usr/bin/env bash
# The sandbox integration tests again, as an ordinary user: Ringfence rootless
# through unprivileged user namespaces, with a cgroup subtree delegated to that
# user the way an operator would (see README "Running without root").
# Must be started as root (it creates the user and the delegation).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
user=ringfence-ci
id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"

# Copies the test binaries where the user can reach them (the checkout may be under /root).
work=$(mktemp -d /tmp/ringfence-unprivileged.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$here/build/tests/integration_tests" "$here/build/server/cli/ringfence" "$work/"
cp -r "$here/build/tests/probes" "$here/tests/integration/profiles" "$work/"
chmod -R a+rX "$work"

if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  # Pure cgroup v2: the user's own subtree; the test process itself must live
  # inside it, since moving a process needs write access to the common ancestor.
  base=/sys/fs/cgroup/ringfence
  mkdir -p "$base"
  grep -q memory "$base/cgroup.subtree_control" || echo "+memory +pids +cpu" > /sys/fs/cgroup/cgroup.subtree_control
  echo "+memory +pids +cpu" > "$base/cgroup.subtree_control" || true
  deleg="$base/$user"
  mkdir -p "$deleg/runner"
  chown -R "$user" "$deleg"
  echo "+memory +pids +cpu" > "$deleg/cgroup.subtree_control" || true
  cgroup_root="$deleg"
  enter="echo \$\$ > $deleg/runner/cgroup.procs;"
else
  # cgroup v1 (or hybrid): one delegated directory per controller.
  for c in memory pids cpuacct; do
    d=$(awk -v c="$c" '{ split($0, h, " - "); split(h[2], post, " "); split(h[1], pre, " ");
           if (post[1] == "cgroup" && ("," post[3] ",") ~ ("," c ",")) { print pre[5]; exit } }' /proc/self/mountinfo)
    [ -n "$d" ] || { echo "no cgroup v1 $c controller mounted" >&2; exit 1; }
    mkdir -p "$d/ringfence/$user"
    chown -R "$user" "$d/ringfence/$user"
  done
  cgroup_root="ringfence/$user"
  enter=""
fi

echo "== integration tests as unprivileged user $user (cgroup root: $cgroup_root)"
runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME=/tmp \
  RINGFENCE_CGROUP_ROOT="$cgroup_root" RINGFENCE_EXPECT_CGROUPS=1 \
  RINGFENCE_TEST_PROBES_DIR="$work/probes" RINGFENCE_TEST_PROFILES_DIR="$work/profiles" \
  RINGFENCE_TEST_BINARY="$work/ringfence" \
  sh -c "$enter cd /tmp && exec $work/integration_tests"
