#!/usr/bin/env bash
# Starts Ringfence on its embedded defaults (127.0.0.1:2358).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/build/server/cli/ringfence" version
