#!/usr/bin/env bash
# Runs every test against an existing build (scripts/setup.sh test builds first).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here/build"
ctest --output-on-failure --timeout 1800 "$@"
