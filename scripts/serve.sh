#!/usr/bin/env bash
# Starts Ringfence on its defaults: 127.0.0.1:2358 (Judge0's port), one local
# tenant, data in /var/lib/ringfence (root) or ~/.local/state/ringfence.
# Extra arguments go to `ringfence serve` (--config FILE, --listen, --data-dir).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/build/server/cli/ringfence" serve "$@"
