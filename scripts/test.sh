#!/usr/bin/env bash
# Runs every test against an existing build (scripts/setup.sh test builds first).
# As root it also repeats the sandbox tests as an unprivileged user, rootless.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here/build"
if [ "$(id -u)" -eq 0 ]; then
  # Root can always create cgroups under ringfence/: a test skipping for lack of them is a failure.
  export RINGFENCE_EXPECT_CGROUPS=1
fi
ctest --output-on-failure --timeout 1800 "$@"
if [ "$(id -u)" -eq 0 ] && [ $# -eq 0 ]; then
  "$here/scripts/test-unprivileged.sh"
fi
if [ $# -eq 0 ]; then
  # The request parsers under libFuzzer with ASan/UBSan: every regression input
  # and seed replayed, then a few seconds of new inputs per target.
  RINGFENCE_FUZZ_SECONDS=${RINGFENCE_FUZZ_SECONDS:-5} "$here/tests/fuzz/run.sh"
fi
