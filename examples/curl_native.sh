#!/usr/bin/env bash
# The native API, one request per endpoint. RINGFENCE_URL and RINGFENCE_KEY may be set.
set -euo pipefail
url=${RINGFENCE_URL:-http://127.0.0.1:2358}
auth=()
[ -n "${RINGFENCE_KEY:-}" ] && auth=(-H "Authorization: Bearer $RINGFENCE_KEY")

curl -s "$url/healthz"; echo
curl -s "$url/v1/languages" "${auth[@]}" | head -c 400; echo
# Synchronous: compile once, run two tests, compare.
curl -s "$url/v1/runs?wait=true" "${auth[@]}" -H 'Content-Type: application/json' -d '{
  "language": "cpp17",
  "source": "#include <iostream>\nint main(){long a,b; std::cin>>a>>b; std::cout<<a+b<<\"\\n\";}",
  "tests": [{"stdin": "1 2\n", "expected_output": "3\n"}, {"stdin": "5 5\n", "expected_output": "10\n"}]
}'; echo
# Asynchronous, then poll, then cancel another.
id=$(curl -s "$url/v1/runs" "${auth[@]}" -d '{"language":"python3","source":"print(42)"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
sleep 1
curl -s "$url/v1/runs/$id" "${auth[@]}"; echo
slow=$(curl -s "$url/v1/runs" "${auth[@]}" -d '{"language":"python3","source":"import time\ntime.sleep(30)","run_limits":{"wall_time_ms":40000}}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
curl -s -X DELETE "$url/v1/runs/$slow" "${auth[@]}"; echo
curl -s "$url/v1/batches" "${auth[@]}" -d '{"runs":[{"language":"python3","source":"print(1)"},{"language":"python3","source":"print(2)"}]}'; echo
curl -s "$url/v1/openapi.json" | head -c 200; echo
curl -s "$url/readyz"; echo
curl -s "$url/metrics" | grep -E '^ringfence_(queue_depth|jobs_total)' | head
