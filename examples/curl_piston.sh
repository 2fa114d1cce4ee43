#!/usr/bin/env bash
# Piston v2 endpoints (no credentials needed for the anonymous tenant).
set -euo pipefail
url=${RINGFENCE_URL:-http://127.0.0.1:2358}
curl -s "$url/api/v2/runtimes" | head -c 400; echo
curl -s "$url/api/v2/execute" -H 'Content-Type: text/plain' -d '{
  "language": "python", "version": "*",
  "files": [{"name": "main.py", "content": "import sys\nprint(sys.argv[1:], input())"}],
  "stdin": "hello", "args": ["1", "2", "3"], "run_timeout": 3000
}'; echo
curl -s "$url/api/v2/execute" -H 'Content-Type: application/json' -d '{
  "language": "c++", "version": "*", "files": [{"content": "#include <cstdio>\nint main(){puts(\"hi\");}"}]
}'; echo
